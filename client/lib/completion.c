/* The typed calls of ims.v1.Completion: the completion matrix of an implementation. */
#include "ims/client.h"

#define UNARY(fn, path, Req, Resp, resp_descriptor)                                                \
    int fn(ims_client *c, const Req *req, Resp **out)                                              \
    {                                                                                              \
        return ims_client_call(c, path, &req->base, &resp_descriptor, (ProtobufCMessage **)out);   \
    }

UNARY(ims_client_get_completion, "/ims.v1.Completion/GetCompletion", Ims__V1__GetCompletionRequest,
      Ims__V1__CompletionMatrix, ims__v1__completion_matrix__descriptor)
UNARY(ims_client_set_completion, "/ims.v1.Completion/SetCompletion", Ims__V1__SetCompletionRequest,
      Ims__V1__CompletionMatrix, ims__v1__completion_matrix__descriptor)
UNARY(ims_client_set_completion_target, "/ims.v1.Completion/SetCompletionTarget",
      Ims__V1__SetCompletionTargetRequest, Ims__V1__CompletionMatrix, ims__v1__completion_matrix__descriptor)
