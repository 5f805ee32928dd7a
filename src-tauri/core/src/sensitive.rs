//! A value that came from Vault (a secret's data, database credentials) and must not leak by
//! accident: `Debug` prints `<redacted>` and there is no `Serialize`/`Display`. The one place
//! that shows it calls [`Sensitive::expose`] on purpose (a preview with reveal on, an export).

use std::fmt;

#[derive(Clone, PartialEq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }
    /// The value itself. Call sites are the deliberate reveal points.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_hides_the_value() {
        let s = super::Sensitive::new(String::from("hunter2"));
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }
}
