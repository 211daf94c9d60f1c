//! [`ProfileSet`]: every profile of a directory, selection per client class, and reload.

use super::{BandwidthProfile, ProfileError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The profiles loaded from one directory, by name (the file stem). Immutable: a reload builds
/// a new set (see [`ProfileSet::reload`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Arc<BandwidthProfile>>,
}

/// Which kind of client a session serves; each class has its own default profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientClass {
    /// Browsers over WebTransport.
    Browser,
    /// Native clients over encrypted UDP or QUIC.
    Native,
}

/// The profile each client class gets unless a session asks for another.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileSelection {
    /// Profile for browser clients. Default "broadband".
    pub browser: String,
    /// Profile for native clients. Default "broadband".
    pub native: String,
    /// Per-session override by the token's `user_type` claim: a session whose `user_type` is a
    /// key here gets that profile instead of its class's. Default: none.
    pub user_types: BTreeMap<String, String>,
}

/// A profile with the name it was selected by (for logs and metric labels).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedProfile {
    /// The profile name.
    pub name: String,
    /// The profile.
    pub profile: Arc<BandwidthProfile>,
}

/// A [`ProfileSelection`] resolved against a [`ProfileSet`].
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSelection {
    /// The browser profile.
    pub browser: NamedProfile,
    /// The native profile.
    pub native: NamedProfile,
    /// Profiles by the token's `user_type`.
    pub user_types: BTreeMap<String, NamedProfile>,
}

impl Default for ProfileSelection {
    fn default() -> Self {
        Self {
            browser: "broadband".into(),
            native: "broadband".into(),
            user_types: BTreeMap::new(),
        }
    }
}

impl ProfileSelection {
    /// Look both names up in `set`; an unknown name is an error naming its field.
    pub fn resolve(&self, set: &ProfileSet) -> Result<ResolvedSelection, ProfileError> {
        Ok(ResolvedSelection {
            browser: set.named("browser", &self.browser)?,
            native: set.named("native", &self.native)?,
            user_types: self
                .user_types
                .iter()
                .map(|(user_type, name)| Ok((user_type.clone(), set.named("user_types", name)?)))
                .collect::<Result<_, ProfileError>>()?,
        })
    }
}

impl ResolvedSelection {
    /// The profile for a session of `user_type` (the token's claim), if one is configured.
    pub fn for_user_type(&self, user_type: &str) -> Option<&NamedProfile> {
        self.user_types.get(user_type)
    }

    /// The profile for a client class.
    pub fn for_class(&self, class: ClientClass) -> &NamedProfile {
        match class {
            ClientClass::Browser => &self.browser,
            ClientClass::Native => &self.native,
        }
    }
}

/// Whether `name` is a valid profile name: one or more of `a-z`, `0-9`, `_`, `-`.
pub fn is_valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl ProfileSet {
    /// Load and validate every `*.toml` file in `dir`; each file's stem is its profile name.
    /// Other files are ignored. The first problem found is returned (files are read in name
    /// order, so the error is the same on every run); a directory without profiles is an error.
    pub fn load_dir(dir: &Path) -> Result<Self, ProfileError> {
        let read_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ProfileError::Read { path, source }
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
            let path = entry.map_err(read_err(dir))?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        let mut profiles = BTreeMap::new();
        for path in files {
            let name = match path.file_stem().and_then(|s| s.to_str()) {
                Some(name) if is_valid_profile_name(name) => name.to_string(),
                stem => {
                    return Err(ProfileError::BadName {
                        name: stem
                            .map_or_else(|| path.to_string_lossy().into_owned(), str::to_string),
                        path,
                    });
                }
            };
            let text = std::fs::read_to_string(&path).map_err(read_err(&path))?;
            let profile = BandwidthProfile::from_toml_str(&name, &text, &path)?;
            profiles.insert(name, Arc::new(profile));
        }
        if profiles.is_empty() {
            return Err(ProfileError::Empty {
                path: dir.to_path_buf(),
            });
        }
        Ok(Self { profiles })
    }

    /// Build a set from profiles already in memory (each is validated; names are checked).
    pub fn from_profiles(
        profiles: impl IntoIterator<Item = (String, BandwidthProfile)>,
    ) -> Result<Self, ProfileError> {
        let mut map = BTreeMap::new();
        for (name, profile) in profiles {
            if !is_valid_profile_name(&name) {
                return Err(ProfileError::BadName {
                    path: PathBuf::from(format!("{name}.toml")),
                    name,
                });
            }
            profile.validate(&name)?;
            map.insert(name, Arc::new(profile));
        }
        if map.is_empty() {
            return Err(ProfileError::Empty {
                path: PathBuf::from("<in memory>"),
            });
        }
        Ok(Self { profiles: map })
    }

    /// Load `dir` again for a running edge. On success the new set is returned and the caller
    /// swaps it in (for example the `Arc<ProfileSet>` behind a lock or watch channel); on any
    /// error nothing changes and `self` stays in force. Sessions keep running either way: a
    /// session holds the `Arc<BandwidthProfile>` it resolved and picks up the new version of
    /// its profile, by name, at its next send tick.
    ///
    /// Every profile of `self` must still be there ([`ProfileError::Removed`] otherwise),
    /// because a session may be using it; profiles can be added or changed.
    pub fn reload(&self, dir: &Path) -> Result<ProfileSet, ProfileError> {
        let new = Self::load_dir(dir)?;
        if let Some(name) = self.names().find(|n| new.get(n).is_none()) {
            return Err(ProfileError::Removed {
                name: name.to_string(),
            });
        }
        Ok(new)
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<BandwidthProfile>> {
        self.profiles.get(name)
    }

    /// The profile called `name` for the selection field `field` (`browser`, `native`,
    /// `session`); an unknown name is an error naming the field and listing the known names.
    pub fn named(&self, field: &'static str, name: &str) -> Result<NamedProfile, ProfileError> {
        match self.get(name) {
            Some(profile) => Ok(NamedProfile {
                name: name.to_string(),
                profile: Arc::clone(profile),
            }),
            None => Err(ProfileError::UnknownProfile {
                field,
                name: name.to_string(),
                available: self.names().map(str::to_string).collect(),
            }),
        }
    }

    /// Every profile name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// How many profiles the set holds (never 0).
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Always false: a set holds at least one profile. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// Names whose profile is new or different in `newer` than in `self`, sorted (for the
    /// reload log line).
    pub fn changed_in(&self, newer: &ProfileSet) -> Vec<String> {
        newer
            .profiles
            .iter()
            .filter(|(name, p)| self.profiles.get(*name) != Some(*p))
            .map(|(name, _)| name.clone())
            .collect()
    }
}
