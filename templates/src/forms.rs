//! What the forms' controls are filled from: the options of a select or checkbox group, and field errors.

/// One option of a select or checkbox group, with whether it is chosen.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An error attached to one form field (`field` is the form field's name).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}
