/* The typed calls of ims.v1.Schemas: drafts, documents, diffs and publication of schemas,
 * tenant rebase and tuning, and schema statistics. */
#include "ims/client.h"

#define UNARY(fn, path, Req, Resp, resp_descriptor)                                                \
    int fn(ims_client *c, const Req *req, Resp **out)                                              \
    {                                                                                              \
        return ims_client_call(c, path, &req->base, &resp_descriptor, (ProtobufCMessage **)out);   \
    }

UNARY(ims_client_create_schema_draft, "/ims.v1.Schemas/CreateSchemaDraft",
      Ims__V1__CreateSchemaDraftRequest, Ims__V1__SchemaDocument,
      ims__v1__schema_document__descriptor)
UNARY(ims_client_get_schema_document, "/ims.v1.Schemas/GetSchemaDocument",
      Ims__V1__GetSchemaDocumentRequest, Ims__V1__SchemaDocument,
      ims__v1__schema_document__descriptor)
UNARY(ims_client_put_schema_document, "/ims.v1.Schemas/PutSchemaDocument",
      Ims__V1__PutSchemaDocumentRequest, Ims__V1__SchemaDocument,
      ims__v1__schema_document__descriptor)
UNARY(ims_client_edit_schema_draft, "/ims.v1.Schemas/EditSchemaDraft",
      Ims__V1__EditSchemaDraftRequest, Ims__V1__SchemaDocument,
      ims__v1__schema_document__descriptor)
UNARY(ims_client_publish_schema, "/ims.v1.Schemas/PublishSchema", Ims__V1__PublishSchemaRequest,
      Ims__V1__SchemaDocument, ims__v1__schema_document__descriptor)
UNARY(ims_client_diff_schemas, "/ims.v1.Schemas/DiffSchemas", Ims__V1__DiffSchemasRequest,
      Ims__V1__DiffSchemasResponse, ims__v1__diff_schemas_response__descriptor)
UNARY(ims_client_preview_rebase, "/ims.v1.Schemas/PreviewRebase", Ims__V1__RebaseRequest,
      Ims__V1__RebasePreview, ims__v1__rebase_preview__descriptor)
UNARY(ims_client_rebase, "/ims.v1.Schemas/Rebase", Ims__V1__RebaseRequest,
      Ims__V1__RebaseResponse, ims__v1__rebase_response__descriptor)
UNARY(ims_client_get_tuning, "/ims.v1.Schemas/GetTuning", Ims__V1__GetTuningRequest,
      Ims__V1__GetTuningResponse, ims__v1__get_tuning_response__descriptor)
UNARY(ims_client_set_tuning, "/ims.v1.Schemas/SetTuning", Ims__V1__SetTuningRequest,
      Ims__V1__SetTuningResponse, ims__v1__set_tuning_response__descriptor)
UNARY(ims_client_get_schema_stats, "/ims.v1.Schemas/GetSchemaStats",
      Ims__V1__GetSchemaStatsRequest, Ims__V1__GetSchemaStatsResponse,
      ims__v1__get_schema_stats_response__descriptor)
UNARY(ims_client_translate_controls, "/ims.v1.Schemas/TranslateControls",
      Ims__V1__TranslateControlsRequest, Ims__V1__TranslateControlsResponse,
      ims__v1__translate_controls_response__descriptor)
