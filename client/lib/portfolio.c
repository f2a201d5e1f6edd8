/* The typed call of ims.v1.Portfolio. */
#include "ims/client.h"

int ims_client_get_portfolio(ims_client *c, const Ims__V1__GetPortfolioRequest *req,
                             Ims__V1__GetPortfolioResponse **out)
{
    return ims_client_call(c, "/ims.v1.Portfolio/GetPortfolio", &req->base,
                           &ims__v1__get_portfolio_response__descriptor, (ProtobufCMessage **)out);
}
