/*
 * The names a snapshot gives to systems, answers, aggregations and finding types, in the
 * order of the engine's enums.
 */
#ifndef IMS_ENGINE_SNAPSHOT_NAMES_H
#define IMS_ENGINE_SNAPSHOT_NAMES_H

#include "engine.h"

static const char *const system_names[ENGINE_SYSTEM_COUNT] = {"ISMS", "BCMS", "RMS", "SMS"};
static const char *const artefact_status_names[] = {"missing", "draft", "approved", "obsolete"};
static const char *const treatment_names[] = {NULL, "mitigate", "accept", "transfer", "avoid"};
static const char *const answer_names[] = {NULL, "yes", "partial", "no", "na"};
static const char *const aggregation_names[] = {"last", "mean", "min", "max"};
static const char *const finding_names[] = {"major_nc", "minor_nc", "observation", "opportunity"};

#endif
