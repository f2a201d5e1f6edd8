/* The typed calls of ims.v1.Improvement (Check and Act): one wrapper over ims_client_call()
 * per RPC. */
#include "ims/client.h"

#define UNARY(fn, method, Req, Resp, resp_descriptor)                                              \
    int fn(ims_client *c, const Req *req, Resp **out)                                              \
    {                                                                                              \
        return ims_client_call(c, "/ims.v1.Improvement/" method, &req->base, &resp_descriptor,     \
                               (ProtobufCMessage **)out);                                          \
    }

UNARY(ims_client_raise_action, "RaiseAction", Ims__V1__RaiseActionRequest, Ims__V1__ActionResult,
      ims__v1__action_result__descriptor)
UNARY(ims_client_progress_action, "ProgressAction", Ims__V1__ProgressActionRequest,
      Ims__V1__ActionResult, ims__v1__action_result__descriptor)
UNARY(ims_client_list_actions, "ListActions", Ims__V1__ListActionsRequest,
      Ims__V1__ListActionsResponse, ims__v1__list_actions_response__descriptor)
UNARY(ims_client_get_action, "GetAction", Ims__V1__GetActionRequest, Ims__V1__Action,
      ims__v1__action__descriptor)
UNARY(ims_client_plan_audit, "PlanAudit", Ims__V1__PlanAuditRequest, Ims__V1__AuditResult,
      ims__v1__audit_result__descriptor)
UNARY(ims_client_update_audit, "UpdateAudit", Ims__V1__UpdateAuditRequest, Ims__V1__AuditResult,
      ims__v1__audit_result__descriptor)
UNARY(ims_client_list_audits, "ListAudits", Ims__V1__ListAuditsRequest, Ims__V1__ListAuditsResponse,
      ims__v1__list_audits_response__descriptor)
UNARY(ims_client_get_audit, "GetAudit", Ims__V1__GetAuditRequest, Ims__V1__Audit,
      ims__v1__audit__descriptor)
UNARY(ims_client_award_level, "AwardLevel", Ims__V1__AwardLevelRequest, Ims__V1__Award,
      ims__v1__award__descriptor)
UNARY(ims_client_update_award, "UpdateAward", Ims__V1__UpdateAwardRequest, Ims__V1__Award,
      ims__v1__award__descriptor)
UNARY(ims_client_list_awards, "ListAwards", Ims__V1__ListAwardsRequest, Ims__V1__ListAwardsResponse,
      ims__v1__list_awards_response__descriptor)
UNARY(ims_client_get_award, "GetAward", Ims__V1__GetAwardRequest, Ims__V1__Award,
      ims__v1__award__descriptor)
UNARY(ims_client_hold_review, "HoldReview", Ims__V1__HoldReviewRequest, Ims__V1__ReviewResult,
      ims__v1__review_result__descriptor)
UNARY(ims_client_list_reviews, "ListReviews", Ims__V1__ListReviewsRequest,
      Ims__V1__ListReviewsResponse, ims__v1__list_reviews_response__descriptor)
UNARY(ims_client_get_review, "GetReview", Ims__V1__GetReviewRequest, Ims__V1__Review,
      ims__v1__review__descriptor)
UNARY(ims_client_put_objective, "PutObjective", Ims__V1__PutObjectiveRequest, Ims__V1__Objective,
      ims__v1__objective__descriptor)
UNARY(ims_client_list_objectives, "ListObjectives", Ims__V1__ListObjectivesRequest,
      Ims__V1__ListObjectivesResponse, ims__v1__list_objectives_response__descriptor)
UNARY(ims_client_get_scorecard, "GetScorecard", Ims__V1__GetScorecardRequest, Ims__V1__Scorecard,
      ims__v1__scorecard__descriptor)
