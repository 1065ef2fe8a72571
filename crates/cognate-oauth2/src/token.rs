//! `/oauth2/token`, `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, discovery and JWKS.
//! (Skeleton: filled in on main.)

use http::{Request, StatusCode};

use crate::response::{self, Resp};
use crate::server::AuthorizationServer;

/// The answer to a CORS preflight.
pub(crate) fn preflight() -> Resp {
    response::plain(StatusCode::NO_CONTENT, "")
}

impl AuthorizationServer {
    pub(crate) fn token<B>(&self, _req: &Request<B>, _body: &[u8]) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
    pub(crate) fn userinfo<B>(&self, _req: &Request<B>, _body: &[u8]) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
    pub(crate) fn revoke<B>(&self, _req: &Request<B>, _body: &[u8]) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
    pub(crate) fn logout<B>(&self, _req: &Request<B>) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
    pub(crate) fn discovery(&self) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
    pub(crate) fn jwks(&self) -> Resp {
        response::plain(StatusCode::NOT_IMPLEMENTED, "")
    }
}
