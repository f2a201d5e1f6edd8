/* The Statement of Applicability as an .xlsx workbook (imsctl soa export --format xlsx). */
#ifndef IMSCTL_SOA_XLSX_H
#define IMSCTL_SOA_XLSX_H

#include "imsctl.h"

/* Writes the workbook of tenant's SoA to out (NULL or "-": standard output). Returns an
 * exit code after printing any failure. */
int imsctl_soa_xlsx(imsctl_ctx *ctx, const char *tenant, const char *out);

#endif
