/* The typed calls of the People, Culture, Procedures and Documents services: one thin
 * wrapper over ims_client_call() per RPC. */
#include "ims/client.h"

#define UNARY(fn, path, Req, Resp, resp_descriptor)                                                \
    int fn(ims_client *c, const Req *req, Resp **out)                                              \
    {                                                                                              \
        return ims_client_call(c, path, &req->base, &resp_descriptor, (ProtobufCMessage **)out);   \
    }

UNARY(ims_client_put_person, "/ims.v1.People/PutPerson", Ims__V1__PutPersonRequest, Ims__V1__Person,
      ims__v1__person__descriptor)
UNARY(ims_client_get_person, "/ims.v1.People/GetPerson", Ims__V1__GetPersonRequest, Ims__V1__Person,
      ims__v1__person__descriptor)
UNARY(ims_client_list_people, "/ims.v1.People/ListPeople", Ims__V1__ListPeopleRequest,
      Ims__V1__ListPeopleResponse, ims__v1__list_people_response__descriptor)
UNARY(ims_client_list_profiles, "/ims.v1.People/ListProfiles", Ims__V1__ListProfilesRequest,
      Ims__V1__ListProfilesResponse, ims__v1__list_profiles_response__descriptor)
UNARY(ims_client_link_token, "/ims.v1.People/LinkToken", Ims__V1__LinkTokenRequest,
      Ims__V1__LinkTokenResponse, ims__v1__link_token_response__descriptor)
UNARY(ims_client_issue_certificate, "/ims.v1.Culture/IssueCertificate",
      Ims__V1__IssueCertificateRequest, Ims__V1__Certificate, ims__v1__certificate__descriptor)
UNARY(ims_client_list_certificates, "/ims.v1.Culture/ListCertificates",
      Ims__V1__ListCertificatesRequest, Ims__V1__ListCertificatesResponse,
      ims__v1__list_certificates_response__descriptor)
UNARY(ims_client_get_culture_summary, "/ims.v1.Culture/GetCultureSummary",
      Ims__V1__GetCultureSummaryRequest, Ims__V1__CultureSummary,
      ims__v1__culture_summary__descriptor)
UNARY(ims_client_list_procedures, "/ims.v1.Procedures/ListProcedures",
      Ims__V1__ListProceduresRequest, Ims__V1__ListProceduresResponse,
      ims__v1__list_procedures_response__descriptor)
UNARY(ims_client_start_procedure, "/ims.v1.Procedures/StartProcedure",
      Ims__V1__StartProcedureRequest, Ims__V1__ProcedureInstance,
      ims__v1__procedure_instance__descriptor)
UNARY(ims_client_advance_procedure, "/ims.v1.Procedures/AdvanceProcedure",
      Ims__V1__AdvanceProcedureRequest, Ims__V1__ProcedureInstance,
      ims__v1__procedure_instance__descriptor)
UNARY(ims_client_attach_record, "/ims.v1.Procedures/AttachRecord", Ims__V1__AttachRecordRequest,
      Ims__V1__ProcedureInstance, ims__v1__procedure_instance__descriptor)
UNARY(ims_client_get_procedure_instance, "/ims.v1.Procedures/GetProcedureInstance",
      Ims__V1__GetProcedureInstanceRequest, Ims__V1__ProcedureInstance,
      ims__v1__procedure_instance__descriptor)
UNARY(ims_client_list_procedure_instances, "/ims.v1.Procedures/ListProcedureInstances",
      Ims__V1__ListProcedureInstancesRequest, Ims__V1__ListProcedureInstancesResponse,
      ims__v1__list_procedure_instances_response__descriptor)
UNARY(ims_client_list_document_templates, "/ims.v1.Documents/ListDocumentTemplates",
      Ims__V1__ListDocumentTemplatesRequest, Ims__V1__ListDocumentTemplatesResponse,
      ims__v1__list_document_templates_response__descriptor)
UNARY(ims_client_list_documents, "/ims.v1.Documents/ListDocuments", Ims__V1__ListDocumentsRequest,
      Ims__V1__ListDocumentsResponse, ims__v1__list_documents_response__descriptor)
UNARY(ims_client_get_document, "/ims.v1.Documents/GetDocument", Ims__V1__GetDocumentRequest,
      Ims__V1__Document, ims__v1__document__descriptor)
UNARY(ims_client_create_document, "/ims.v1.Documents/CreateDocument",
      Ims__V1__CreateDocumentRequest, Ims__V1__DocumentChange, ims__v1__document_change__descriptor)
UNARY(ims_client_add_document_version, "/ims.v1.Documents/AddDocumentVersion",
      Ims__V1__AddDocumentVersionRequest, Ims__V1__DocumentChange,
      ims__v1__document_change__descriptor)
UNARY(ims_client_approve_document, "/ims.v1.Documents/ApproveDocument",
      Ims__V1__ApproveDocumentRequest, Ims__V1__DocumentChange,
      ims__v1__document_change__descriptor)
UNARY(ims_client_obsolete_document, "/ims.v1.Documents/ObsoleteDocument",
      Ims__V1__ObsoleteDocumentRequest, Ims__V1__DocumentChange,
      ims__v1__document_change__descriptor)
