//! Groups and resource servers: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups;
//! CreateResourceServer, DescribeResourceServer, UpdateResourceServer, DeleteResourceServer,
//! ListResourceServers.

use cognate_types::{GroupName, RoleArn, Scope};
use serde::{Deserialize, Serialize};

use super::manage::{
    check_arn, check_length, check_pattern, check_range, epoch, finish_page, is_name_char,
    page_after, page_limit, require, validation, EmptyResponse,
};
use super::{CognitoError, UserPools};
use crate::model::{Group, ResourceServer, ResourceServerScope, UserPool};
use crate::store::{Conflict, StoreError};

/// Most scopes one resource server defines.
pub const MAX_SCOPES: usize = 100;

/// CreateGroup's and UpdateGroup's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRequest {
    /// The group name (1 to 128 visible characters).
    pub group_name: Option<String>,
    /// The pool.
    pub user_pool_id: Option<String>,
    /// Up to 2048 characters.
    pub description: Option<String>,
    /// The IAM role of the members.
    pub role_arn: Option<String>,
    /// 0 (highest) to 2^31-1.
    pub precedence: Option<i64>,
}

/// A request naming a group (GetGroup, DeleteGroup).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupNameRequest {
    /// The group name.
    pub group_name: Option<String>,
    /// The pool.
    pub user_pool_id: Option<String>,
}

/// ListGroups' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 0 to 60 (0 or left out: 60).
    pub limit: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// `GroupType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    /// The group name.
    pub group_name: String,
    /// The pool.
    pub user_pool_id: String,
    /// The description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The precedence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<u32>,
    /// When the group last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
}

impl GroupType {
    /// The API shape of a group.
    pub fn from_model(g: &Group) -> Self {
        Self {
            group_name: g.name.to_string(),
            user_pool_id: g.pool.to_string(),
            description: g.description.clone(),
            role_arn: g.role_arn.as_ref().map(ToString::to_string),
            precedence: g.precedence,
            last_modified_date: epoch(g.modified),
            creation_date: epoch(g.created),
        }
    }
}

/// The response of Create/Get/UpdateGroup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupResponse {
    /// The group.
    pub group: GroupType,
}

/// ListGroups' response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsResponse {
    /// This page.
    pub groups: Vec<GroupType>,
    /// Present when more groups follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ResourceServerScopeType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerScopeType {
    /// The scope name (no `/`).
    pub scope_name: Option<String>,
    /// Its description.
    pub scope_description: Option<String>,
}

/// CreateResourceServer's and UpdateResourceServer's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The identifier (often the API's URL).
    pub identifier: Option<String>,
    /// A friendly name.
    pub name: Option<String>,
    /// Up to 100 scopes (the whole list; UpdateResourceServer replaces it).
    pub scopes: Option<Vec<ResourceServerScopeType>>,
}

/// A request naming a resource server (Describe/DeleteResourceServer).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerIdRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The identifier.
    pub identifier: Option<String>,
}

/// ListResourceServers' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceServersRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 1 to 50 (default 50).
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// `ResourceServerType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerType {
    /// The pool.
    pub user_pool_id: String,
    /// The identifier.
    pub identifier: String,
    /// The name.
    pub name: String,
    /// The scopes.
    pub scopes: Vec<ResourceServerScopeType>,
}

impl ResourceServerType {
    /// The API shape of a resource server.
    pub fn from_model(rs: &ResourceServer) -> Self {
        Self {
            user_pool_id: rs.pool.to_string(),
            identifier: rs.identifier.clone(),
            name: rs.name.clone(),
            scopes: rs
                .scopes
                .iter()
                .map(|s| ResourceServerScopeType {
                    scope_name: Some(s.name.clone()),
                    scope_description: Some(s.description.clone()),
                })
                .collect(),
        }
    }
}

/// The response of Create/Describe/UpdateResourceServer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceServerResponse {
    /// The resource server.
    pub resource_server: ResourceServerType,
}

/// ListResourceServers' response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceServersResponse {
    /// This page.
    pub resource_servers: Vec<ResourceServerType>,
    /// Present when more follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn group_name(name: Option<String>) -> Result<GroupName, CognitoError> {
    let name = require(name, "groupName")?;
    check_length(&name, "groupName", 1, 128)?;
    GroupName::new(name).map_err(|_| {
        validation(
            "Value at 'groupName' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        )
    })
}

fn group_not_found() -> CognitoError {
    CognitoError::not_found("Group not found.")
}

fn description(d: Option<String>) -> Result<Option<String>, CognitoError> {
    if let Some(d) = &d {
        check_length(d, "description", 0, 2048)?;
    }
    Ok(d)
}

fn role_arn(r: Option<String>) -> Result<Option<RoleArn>, CognitoError> {
    r.map(|r| {
        check_arn(&r, "roleArn")?;
        RoleArn::new(r).map_err(|e| CognitoError::invalid_parameter(e.to_string()))
    })
    .transpose()
}

fn precedence(p: Option<i64>) -> Result<Option<u32>, CognitoError> {
    p.map(|p| {
        check_range(p, "precedence", 0, i64::from(i32::MAX))?;
        Ok(u32::try_from(p).unwrap_or(0))
    })
    .transpose()
}

/// `[\x21\x23-\x5B\x5D-\x7E]`: visible ASCII without `"` and `\`.
fn is_scope_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

fn identifier(id: Option<String>) -> Result<String, CognitoError> {
    let id = require(id, "identifier")?;
    check_length(&id, "identifier", 1, 256)?;
    check_pattern(
        &id,
        "identifier",
        "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
        is_scope_char,
    )?;
    Ok(id)
}

fn scopes(
    identifier: &str,
    list: Option<Vec<ResourceServerScopeType>>,
) -> Result<Vec<ResourceServerScope>, CognitoError> {
    let list = list.unwrap_or_default();
    if list.len() > MAX_SCOPES {
        return Err(validation(format_args!(
            "Value at 'scopes' failed to satisfy constraint: Member must have length less than \
             or equal to {MAX_SCOPES}"
        )));
    }
    let mut out: Vec<ResourceServerScope> = Vec::new();
    for s in list {
        let name = require(s.scope_name, "scopes.member.scopeName")?;
        check_length(&name, "scopes.member.scopeName", 1, 256)?;
        check_pattern(
            &name,
            "scopes.member.scopeName",
            "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
            |c| is_scope_char(c) && c != '/',
        )?;
        let description = require(s.scope_description, "scopes.member.scopeDescription")?;
        check_length(&description, "scopes.member.scopeDescription", 1, 256)?;
        if Scope::new(format!("{identifier}/{name}")).is_err() {
            return Err(CognitoError::invalid_parameter(format!(
                "The scope {identifier}/{name} is longer than 256 characters."
            )));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(CognitoError::invalid_parameter(format!(
                "Duplicate scope name: {name}"
            )));
        }
        out.push(ResourceServerScope { name, description });
    }
    Ok(out)
}

fn resource_server_name(name: Option<String>) -> Result<String, CognitoError> {
    let name = require(name, "name")?;
    check_length(&name, "name", 1, 256)?;
    check_pattern(&name, "name", "[\\w\\s+=,.@-]+", is_name_char)?;
    Ok(name)
}

fn resource_server_not_found(pool: &UserPool, identifier: &str) -> CognitoError {
    CognitoError::not_found(format!(
        "Resource server {identifier} does not exist in user pool {}.",
        pool.id
    ))
}

impl UserPools {
    /// CreateGroup.
    pub fn create_group(&self, req: GroupRequest) -> Result<GroupResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = group_name(req.group_name)?;
        let now = self.now();
        let group = Group {
            pool: pool.id.clone(),
            name,
            description: description(req.description)?,
            precedence: precedence(req.precedence)?,
            role_arn: role_arn(req.role_arn)?,
            created: now,
            modified: now,
        };
        self.store().create_group(&group).map_err(|e| match e {
            StoreError::Conflict(Conflict::Group) => CognitoError::new(
                super::ErrorKind::GroupExists,
                "A group with the name already exists.",
            ),
            other => other.into(),
        })?;
        Ok(GroupResponse {
            group: GroupType::from_model(&group),
        })
    }

    /// GetGroup.
    pub fn get_group(&self, req: GroupNameRequest) -> Result<GroupResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = group_name(req.group_name)?;
        let group = self
            .store()
            .get_group(&pool.id, name.as_str())?
            .ok_or_else(group_not_found)?;
        Ok(GroupResponse {
            group: GroupType::from_model(&group),
        })
    }

    /// UpdateGroup: the members given replace the group's; those left out are kept.
    pub fn update_group(&self, req: GroupRequest) -> Result<GroupResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = group_name(req.group_name)?;
        let description = description(req.description)?;
        let role = role_arn(req.role_arn)?;
        let precedence = precedence(req.precedence)?;
        let mut group = self
            .store()
            .get_group(&pool.id, name.as_str())?
            .ok_or_else(group_not_found)?;
        if description.is_some() {
            group.description = description;
        }
        if role.is_some() {
            group.role_arn = role;
        }
        if precedence.is_some() {
            group.precedence = precedence;
        }
        group.modified = self.now();
        self.store().update_group(&group).map_err(|e| match e {
            StoreError::NotFound(_) => group_not_found(),
            other => other.into(),
        })?;
        Ok(GroupResponse {
            group: GroupType::from_model(&group),
        })
    }

    /// DeleteGroup (memberships go with it).
    pub fn delete_group(&self, req: GroupNameRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let name = group_name(req.group_name)?;
        if !self.store().delete_group(&pool.id, name.as_str())? {
            return Err(group_not_found());
        }
        Ok(EmptyResponse {})
    }

    /// ListGroups, in name order.
    pub fn list_groups(&self, req: ListGroupsRequest) -> Result<ListGroupsResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let limit = page_limit(req.limit, "limit", 0, 60, 60)?;
        let after = page_after("groups", req.next_token.as_deref())?;
        let groups =
            self.store()
                .list_groups(&pool.id, after.as_deref(), limit.saturating_add(1))?;
        let (groups, next_token) = finish_page(groups, limit, "groups", |g| g.name.to_string());
        Ok(ListGroupsResponse {
            groups: groups.iter().map(GroupType::from_model).collect(),
            next_token,
        })
    }

    /// CreateResourceServer.
    pub fn create_resource_server(
        &self,
        req: ResourceServerRequest,
    ) -> Result<ResourceServerResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let identifier = identifier(req.identifier)?;
        let name = resource_server_name(req.name)?;
        let scopes = scopes(&identifier, req.scopes)?;
        let rs = ResourceServer {
            pool: pool.id.clone(),
            identifier,
            name,
            scopes,
        };
        self.store()
            .create_resource_server(&rs)
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::ResourceServer) => CognitoError::invalid_parameter(
                    format!("{} already exists in user pool {}.", rs.identifier, pool.id),
                ),
                other => other.into(),
            })?;
        Ok(ResourceServerResponse {
            resource_server: ResourceServerType::from_model(&rs),
        })
    }

    /// DescribeResourceServer.
    pub fn describe_resource_server(
        &self,
        req: ResourceServerIdRequest,
    ) -> Result<ResourceServerResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let identifier = identifier(req.identifier)?;
        let rs = self
            .store()
            .get_resource_server(&pool.id, &identifier)?
            .ok_or_else(|| resource_server_not_found(&pool, &identifier))?;
        Ok(ResourceServerResponse {
            resource_server: ResourceServerType::from_model(&rs),
        })
    }

    /// UpdateResourceServer: the name and the whole scope list are replaced.
    pub fn update_resource_server(
        &self,
        req: ResourceServerRequest,
    ) -> Result<ResourceServerResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let identifier = identifier(req.identifier)?;
        let name = resource_server_name(req.name)?;
        let scopes = scopes(&identifier, req.scopes)?;
        let rs = ResourceServer {
            pool: pool.id.clone(),
            identifier,
            name,
            scopes,
        };
        self.store()
            .update_resource_server(&rs)
            .map_err(|e| match e {
                StoreError::NotFound(_) => resource_server_not_found(&pool, &rs.identifier),
                other => other.into(),
            })?;
        Ok(ResourceServerResponse {
            resource_server: ResourceServerType::from_model(&rs),
        })
    }

    /// DeleteResourceServer.
    pub fn delete_resource_server(
        &self,
        req: ResourceServerIdRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let identifier = identifier(req.identifier)?;
        if !self.store().delete_resource_server(&pool.id, &identifier)? {
            return Err(resource_server_not_found(&pool, &identifier));
        }
        Ok(EmptyResponse {})
    }

    /// ListResourceServers, in identifier order.
    pub fn list_resource_servers(
        &self,
        req: ListResourceServersRequest,
    ) -> Result<ListResourceServersResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let limit = page_limit(req.max_results, "maxResults", 1, 50, 50)?;
        let after = page_after("resource-servers", req.next_token.as_deref())?;
        let list = self.store().list_resource_servers(
            &pool.id,
            after.as_deref(),
            limit.saturating_add(1),
        )?;
        let (list, next_token) =
            finish_page(list, limit, "resource-servers", |r| r.identifier.clone());
        Ok(ListResourceServersResponse {
            resource_servers: list.iter().map(ResourceServerType::from_model).collect(),
            next_token,
        })
    }
}
