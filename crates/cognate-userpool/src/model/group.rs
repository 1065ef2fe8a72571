use cognate_types::{GroupName, RoleArn, UnixTime, UserPoolId};
use serde::{Deserialize, Serialize};

/// A group of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The pool.
    pub pool: UserPoolId,
    /// The group name.
    pub name: GroupName,
    /// A description (up to 2048 characters).
    pub description: Option<String>,
    /// Lower values win when several groups carry a role.
    pub precedence: Option<u32>,
    /// The IAM role of the group's members.
    pub role_arn: Option<RoleArn>,
    /// When the group was created.
    pub created: UnixTime,
    /// When the group was last changed.
    pub modified: UnixTime,
}
