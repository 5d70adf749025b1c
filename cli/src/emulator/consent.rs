//! `/oauth/delegate`: the consent page of an authorize URL, and the decision that sends the
//! browser back to the app with a signed proof (approve) or an OAuth error (deny).
//!
//! Automated tests decide without a browser: `GET <authorize_url>&decision=approve[&identity=ID]`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use postsyncer_delegation::{sign_proof, Platform, Proof};
use serde::Deserialize;

use super::html::{escape, message_page, page};
use super::identities::Identity;
use super::requests::{SessionRequest, Unavailable};
use super::Emulator;
use crate::callback::{append_query, PROOF_LIFETIME_SECS};
use postsyncer_delegation::unix_now;

/// The authorize URL's query, or the consent form's fields.
#[derive(Debug, Deserialize)]
pub struct ConsentParams {
    request: Option<String>,
    decision: Option<String>,
    identity: Option<String>,
}

/// `GET /oauth/delegate`: the page, or the decision when the query carries one.
pub async fn show(
    State(emulator): State<Arc<Emulator>>,
    Query(params): Query<ConsentParams>,
) -> Response {
    if params.decision.is_some() {
        return decide(&emulator, &params);
    }
    let token = params.request.as_deref().unwrap_or_default();
    match emulator.requests.peek(token) {
        Ok(session) => consent_page(&emulator, token, &session),
        Err(why) => unavailable_page(why),
    }
}

/// `POST /oauth/delegate`: the consent form's Approve or Deny.
pub async fn submit(
    State(emulator): State<Arc<Emulator>>,
    Form(params): Form<ConsentParams>,
) -> Response {
    decide(&emulator, &params)
}

fn decide(emulator: &Emulator, params: &ConsentParams) -> Response {
    let token = params.request.as_deref().unwrap_or_default();
    let session = match emulator.requests.peek(token) {
        Ok(session) => session,
        Err(why) => return unavailable_page(why),
    };
    let query = match params.decision.as_deref() {
        Some("approve") => {
            let Some(identity) =
                chosen_identity(emulator, session.platform, params.identity.as_deref())
            else {
                return message_page(
                    StatusCode::BAD_REQUEST,
                    "Unknown identity",
                    &format!(
                        "No {} account with that platform_id is offered here; choose one on the consent page.",
                        display_name(session.platform)
                    ),
                );
            };
            match signed_proof(emulator, &session, identity) {
                Ok(query) => query,
                Err(e) => {
                    return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Signing failed", &e)
                }
            }
        }
        Some("deny") => denial(&session.state),
        _ => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "Unknown decision",
                "The decision must be approve or deny.",
            )
        }
    };
    // Spend the token only now that the answer is ready; a concurrent decision loses here.
    if let Err(why) = emulator.requests.take(token) {
        return unavailable_page(why);
    }
    let location = append_query(&session.callback_url, &query);
    emulator.tester.expect(&location, &session);
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Bad callback URL",
            "The session's callback URL cannot be sent as a redirect.",
        ),
    }
}

fn chosen_identity<'a>(
    emulator: &'a Emulator,
    platform: Platform,
    wanted: Option<&str>,
) -> Option<&'a Identity> {
    let mut offered = emulator.identities.for_platform(platform);
    match wanted {
        None | Some("") => offered.next(),
        Some(id) => offered.find(|i| i.platform_id == id),
    }
}

/// What PostSyncer appends on approval: the proof signed with the core's `sign_proof`, made
/// to expire in five minutes, corrupted as the key's proof fault says.
fn signed_proof(
    emulator: &Emulator,
    session: &SessionRequest,
    identity: &Identity,
) -> Result<String, String> {
    let mut proof = Proof {
        platform: session.platform,
        platform_id: identity.platform_id.clone(),
        handle: identity.handle.clone(),
        state: session.state.clone(),
        expires: unix_now().saturating_add(PROOF_LIFETIME_SECS),
    };
    if let Some(fault) = session.proof_fault {
        fault.corrupt_fields(&mut proof);
    }
    let mut query =
        sign_proof(emulator.signing_secret.expose(), &proof).map_err(|e| e.to_string())?;
    if let Some(fault) = session.proof_fault {
        fault.corrupt_query(&mut query);
    }
    Ok(query)
}

/// What PostSyncer appends on denial: an OAuth error with the session's state.
fn denial(state: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", "access_denied")
        .append_pair(
            "error_description",
            "The user denied the authorization request.",
        )
        .append_pair("state", state)
        .finish()
}

fn consent_page(emulator: &Emulator, token: &str, session: &SessionRequest) -> Response {
    let platform = display_name(session.platform);
    let host = callback_host(&session.callback_url);
    let mut choices = String::new();
    for (index, identity) in emulator
        .identities
        .for_platform(session.platform)
        .enumerate()
    {
        let handle = if identity.handle.is_empty() {
            "(no handle)".to_owned()
        } else {
            escape(&identity.handle)
        };
        choices.push_str(&format!(
            "<label class=\"identity\"><input type=\"radio\" name=\"identity\" value=\"{id}\"{checked}> \
             <strong>{handle}</strong> <span class=\"muted\">platform_id {id}</span></label>",
            id = escape(&identity.platform_id),
            checked = if index == 0 { " checked" } else { "" },
        ));
    }
    let body = format!(
        "<h1>Verify your {platform} account</h1>\
         <p>An app asks PostSyncer to confirm that you own a <strong id=\"platform\">{platform}</strong> account. \
         It will learn the account's id and handle, nothing else.</p>\
         <p>Afterwards you will be sent back to <span class=\"host\" id=\"callback-host\">{host}</span>.</p>\
         <form method=\"post\" action=\"/oauth/delegate\">\
         <input type=\"hidden\" name=\"request\" value=\"{token}\">\
         <fieldset style=\"border:0;padding:0;margin:0\"><legend>Continue as</legend>{choices}</fieldset>\
         <div class=\"actions\">\
         <button class=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
         <button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div></form>\
         <p class=\"muted\">This page is the local emulator: no {platform} login happens, and the proof is \
         signed with the emulator's test secret.</p>",
        platform = escape(platform),
        host = escape(&host),
        token = escape(token),
    );
    page(
        StatusCode::OK,
        &format!("Verify your {platform} account"),
        &body,
    )
}

fn unavailable_page(why: Unavailable) -> Response {
    match why {
        Unavailable::Unknown => message_page(
            StatusCode::NOT_FOUND,
            "Unknown authorization request",
            "This link does not belong to any session. Start again from the app.",
        ),
        Unavailable::Used => message_page(
            StatusCode::GONE,
            "This link was already used",
            "Authorization links work once. Go back to the app and start again to get a new one.",
        ),
        Unavailable::Expired => message_page(
            StatusCode::GONE,
            "This link has expired",
            "Authorization links are valid for 15 minutes. Go back to the app and start again.",
        ),
    }
}

/// The host (and port) the browser will be sent back to; the whole URL if it has none.
fn callback_host(callback_url: &str) -> String {
    match url::Url::parse(callback_url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => callback_url.to_owned(),
        },
        Err(_) => callback_url.to_owned(),
    }
}

/// How the platform is named to people (the wire name of X is `twitter`).
fn display_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Tiktok => "TikTok",
        Platform::Instagram => "Instagram",
        Platform::Twitter => "X (Twitter)",
        Platform::Linkedin => "LinkedIn",
        Platform::Youtube => "YouTube",
        Platform::Facebook => "Facebook",
        Platform::Pinterest => "Pinterest",
        Platform::Threads => "Threads",
    }
}
