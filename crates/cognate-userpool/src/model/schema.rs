use serde::{Deserialize, Serialize};

/// The standard OIDC attributes every pool has, in Cognito's order.
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// The type of an attribute's values (all values travel as strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttributeDataType {
    /// Text.
    String,
    /// An integer.
    Number,
    /// A date and time (text).
    DateTime,
    /// `true` or `false`.
    Boolean,
}

impl AttributeDataType {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeDataType::String => "String",
            AttributeDataType::Number => "Number",
            AttributeDataType::DateTime => "DateTime",
            AttributeDataType::Boolean => "Boolean",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "String" => Some(Self::String),
            "Number" => Some(Self::Number),
            "DateTime" => Some(Self::DateTime),
            "Boolean" => Some(Self::Boolean),
            _ => None,
        }
    }
}

/// Length limits of a string attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StringConstraints {
    /// Minimum length in characters.
    pub min_length: Option<u32>,
    /// Maximum length in characters.
    pub max_length: Option<u32>,
}

/// Value limits of a number attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberConstraints {
    /// Smallest value.
    pub min_value: Option<i64>,
    /// Largest value.
    pub max_value: Option<i64>,
}

/// One attribute of the pool's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaAttribute {
    /// The full name (`email`, `custom:tenant`, `dev:custom:flag`).
    pub name: String,
    /// The value type.
    pub data_type: AttributeDataType,
    /// Only administrators (SigV4 callers) read and write it.
    pub developer_only: bool,
    /// Whether the value can change after creation.
    pub mutable: bool,
    /// Whether every user must have it (standard attributes only).
    pub required: bool,
    /// Limits for strings.
    pub string_constraints: Option<StringConstraints>,
    /// Limits for numbers.
    pub number_constraints: Option<NumberConstraints>,
}

impl SchemaAttribute {
    /// The standard schema of a new pool, as DescribeUserPool shows it.
    pub fn standard_schema() -> Vec<SchemaAttribute> {
        STANDARD_ATTRIBUTES
            .iter()
            .map(|name| Self::standard(name))
            .collect()
    }

    fn standard(name: &str) -> SchemaAttribute {
        let data_type = match name {
            "email_verified" | "phone_number_verified" => AttributeDataType::Boolean,
            "updated_at" => AttributeDataType::Number,
            _ => AttributeDataType::String,
        };
        let (string_constraints, number_constraints) = match data_type {
            AttributeDataType::String => (
                Some(StringConstraints {
                    min_length: Some(if name == "sub" { 1 } else { 0 }),
                    max_length: Some(2048),
                }),
                None,
            ),
            AttributeDataType::Number => (
                None,
                Some(NumberConstraints {
                    min_value: Some(0),
                    max_value: None,
                }),
            ),
            _ => (None, None),
        };
        SchemaAttribute {
            name: name.to_owned(),
            data_type,
            developer_only: false,
            mutable: name != "sub",
            required: name == "sub",
            string_constraints,
            number_constraints,
        }
    }

    /// Whether the attribute is one of the standard ones.
    pub fn is_standard(&self) -> bool {
        STANDARD_ATTRIBUTES.contains(&self.name.as_str())
    }

    /// Checks a value against the type and limits. Returns the reason on failure.
    pub fn check_value(&self, value: &str) -> Result<(), String> {
        match self.data_type {
            AttributeDataType::String | AttributeDataType::DateTime => {
                let len = u32::try_from(value.chars().count()).unwrap_or(u32::MAX);
                if let Some(c) = self.string_constraints {
                    if c.min_length.is_some_and(|m| len < m)
                        || c.max_length.is_some_and(|m| len > m)
                    {
                        return Err(format!(
                            "{} length is outside the attribute's limits",
                            self.name
                        ));
                    }
                }
                if len > 2048 {
                    return Err(format!("{} is longer than 2048 characters", self.name));
                }
            }
            AttributeDataType::Number => {
                let n: i64 = value
                    .parse()
                    .map_err(|_| format!("{} must be a number", self.name))?;
                if let Some(c) = self.number_constraints {
                    if c.min_value.is_some_and(|m| n < m) || c.max_value.is_some_and(|m| n > m) {
                        return Err(format!("{} is outside the attribute's limits", self.name));
                    }
                }
            }
            AttributeDataType::Boolean => {
                if value != "true" && value != "false" {
                    return Err(format!("{} must be true or false", self.name));
                }
            }
        }
        Ok(())
    }
}
