//! Managed login: the sign-in page and the pages of its challenges, sign-up and password reset.
//! (Skeleton: filled in on the login branch.)

use http::{Request, StatusCode};

use crate::response::{self, Resp};
use crate::server::AuthorizationServer;

/// Handles a managed-login page, or `None` when `path` is not one.
pub(crate) fn handle<B>(
    _server: &AuthorizationServer,
    _path: &str,
    _req: &Request<B>,
    _body: &[u8],
) -> Option<Resp> {
    None
}

/// `GET /error`: the error page.
pub(crate) fn error_page<B>(_server: &AuthorizationServer, _req: &Request<B>) -> Resp {
    response::plain(
        StatusCode::BAD_REQUEST,
        "An error was encountered with the requested page.",
    )
}
