//! Reading submitted HTML forms into domain inputs, and the state a form is re-rendered with.
//!
//! A form arrives as name/value pairs (names match the domain fields, e.g. `estimate.optimistic`).
//! [`FormReader`] turns strings into numbers, dates, ids and enums, recording a [`FieldError`] on
//! the field when a string is not what the field needs. [`FormState`] keeps every typed value and
//! every error so a rejected form comes back exactly as the person left it.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use tandem_domain::values::parse_date;
use tandem_domain::{FieldError, ValidationErrors};

/// The raw pairs of a submitted form, in the order sent (checkbox groups repeat a name).
#[derive(Debug, Clone, Default)]
pub struct SubmittedForm {
    pairs: Vec<(String, String)>,
}

impl SubmittedForm {
    pub fn new(pairs: Vec<(String, String)>) -> SubmittedForm {
        SubmittedForm { pairs }
    }

    /// The first value sent for `name`, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The value for `name`, or `None` when absent or blank.
    pub fn optional_text(&self, name: &str) -> Option<String> {
        let text = self.text(name);
        if text.trim().is_empty() { None } else { Some(text.to_owned()) }
    }

    /// The record version an edit or delete form was loaded with, `None` when absent or garbled.
    /// An edit without one is saved as version 0, which the store refuses as a conflict: a form
    /// never overwrites blindly.
    pub fn version(&self) -> Option<i64> {
        self.text("version").trim().parse().ok()
    }

    /// Every value sent for `name` (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
    }

    /// The form as it was typed, for re-rendering.
    pub fn into_state(self) -> FormState {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in self.pairs {
            values.entry(name).or_default().push(value);
        }
        FormState { values, errors: ValidationErrors::new(), notice: None }
    }
}

/// Reads typed values out of a [`SubmittedForm`], collecting every problem instead of stopping at
/// the first, so the form can show them all at once.
#[derive(Debug)]
pub struct FormReader<'a> {
    form: &'a SubmittedForm,
    errors: ValidationErrors,
}

impl<'a> FormReader<'a> {
    pub fn new(form: &'a SubmittedForm) -> FormReader<'a> {
        FormReader { form, errors: ValidationErrors::new() }
    }

    pub fn text(&self, name: &str) -> String {
        self.form.text(name).to_owned()
    }

    pub fn optional_text(&self, name: &str) -> Option<String> {
        self.form.optional_text(name)
    }

    fn record<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        self.errors.check(result)
    }

    /// A required ISO date.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = self.form.text(name);
        if raw.trim().is_empty() {
            return self.record(Err(required(name)));
        }
        self.record(parse_date(name, raw))
    }

    /// An optional date: `Some(None)` when left empty, `None` when it does not parse.
    pub fn optional_date(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        let raw = self.form.text(name);
        if raw.trim().is_empty() {
            return Some(None);
        }
        self.record(parse_date(name, raw).map(Some))
    }

    /// A required whole number.
    pub fn integer(&mut self, name: &str) -> Option<i64> {
        match self.optional_integer(name) {
            Some(Some(value)) => Some(value),
            Some(None) => self.record(Err(required(name))),
            None => None,
        }
    }

    /// A whole number or blank; `None` when it was neither (the error is recorded).
    pub fn optional_integer(&mut self, name: &str) -> Option<Option<i64>> {
        let raw = self.form.text(name).trim();
        if raw.is_empty() {
            return Some(None);
        }
        self.record(
            raw.parse::<i64>().map(Some).map_err(|_| FieldError::new(name, "not_a_number", "must be a whole number")),
        )
    }

    /// A required decimal number (a decimal comma is accepted too).
    pub fn number(&mut self, name: &str) -> Option<f64> {
        let raw = self.form.text(name).trim();
        if raw.is_empty() {
            return self.record(Err(required(name)));
        }
        let parsed = raw.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite());
        self.record(parsed.ok_or_else(|| FieldError::new(name, "not_a_number", "must be a number")))
    }

    /// A required record id.
    pub fn id<T: FromStr>(&mut self, name: &str) -> Option<T> {
        match self.optional_id(name) {
            Some(Some(id)) => Some(id),
            Some(None) => self.record(Err(required(name))),
            None => None,
        }
    }

    /// A record id or blank.
    pub fn optional_id<T: FromStr>(&mut self, name: &str) -> Option<Option<T>> {
        let raw = self.form.text(name).trim();
        if raw.is_empty() {
            return Some(None);
        }
        self.record(
            raw.parse::<T>().map(Some).map_err(|_| FieldError::new(name, "invalid_id", "must be a valid record id")),
        )
    }

    /// A value from a fixed list, parsed by the domain's own `parse(field, raw)`.
    pub fn choice<T>(&mut self, name: &str, parse: fn(&str, &str) -> Result<T, FieldError>) -> Option<T> {
        let raw = self.form.text(name).to_owned();
        self.record(parse(name, &raw))
    }

    /// Records an error found outside the reader (e.g. a line of a textarea).
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// The errors of the typed-value checks so far.
    pub fn errors(&self) -> &ValidationErrors {
        &self.errors
    }

    pub fn into_errors(self) -> ValidationErrors {
        self.errors
    }
}

fn required(name: &str) -> FieldError {
    FieldError::new(name, "required", "must not be blank")
}

/// Combines the reader's errors with the domain's. Where the reader already rejected a field, the
/// domain saw a stand-in value, so its verdict on that field and on fields checked together with it
/// (`related`, e.g. start and end dates) is dropped rather than shown as a second, misleading error.
pub fn merge_errors(
    mut reader_errors: ValidationErrors,
    domain_errors: ValidationErrors,
    related: &[&[&str]],
) -> ValidationErrors {
    let failed: Vec<String> = reader_errors.errors().iter().map(|e| e.field.clone()).collect();
    let blocked = |field: &str| {
        failed.iter().any(|f| f == field)
            || related.iter().any(|group| group.contains(&field) && group.iter().any(|g| failed.iter().any(|f| f == g)))
    };
    for error in domain_errors.errors() {
        if !blocked(&error.field) {
            reader_errors.push(error.clone());
        }
    }
    reader_errors
}

/// The outcome of reading a form: the domain's fields when both the reader and the domain accepted
/// it, else every error of both (see [`merge_errors`]).
pub fn finish<T>(
    reader: FormReader<'_>,
    parsed: Result<T, ValidationErrors>,
    related: &[&[&str]],
) -> Result<T, ValidationErrors> {
    match parsed {
        Ok(fields) if reader.errors().is_empty() => Ok(fields),
        Ok(_) => Err(reader.into_errors()),
        Err(domain_errors) => Err(merge_errors(reader.into_errors(), domain_errors, related)),
    }
}

/// A form as it is rendered: every value (as typed, or as stored when editing), the errors to show
/// next to their fields, and an optional message for the whole form.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: HashMap<String, Vec<String>>,
    errors: ValidationErrors,
    /// A message about the whole form, such as an edit conflict.
    pub notice: Option<String>,
}

impl FormState {
    pub fn empty() -> FormState {
        FormState::default()
    }

    /// Sets a field's value (used to fill a form from a stored record or from query parameters).
    pub fn set(&mut self, name: &str, value: impl ToString) -> &mut FormState {
        self.values.insert(name.to_owned(), vec![value.to_string()]);
        self
    }

    /// Sets an optional field's value; `None` leaves it blank.
    pub fn set_optional(&mut self, name: &str, value: Option<impl ToString>) -> &mut FormState {
        match value {
            Some(value) => self.set(name, value),
            None => self.set(name, ""),
        }
    }

    pub fn set_all(&mut self, name: &str, values: Vec<String>) -> &mut FormState {
        self.values.insert(name.to_owned(), values);
        self
    }

    pub fn with_errors(mut self, errors: ValidationErrors) -> FormState {
        self.errors = errors;
        self
    }

    pub fn with_notice(mut self, notice: impl Into<String>) -> FormState {
        self.notice = Some(notice.into());
        self
    }

    /// The (first) value of a field, "" when none.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).and_then(|v| v.first()).map(String::as_str).unwrap_or("")
    }

    /// Every value of a repeated field (a multiple select), in the order given.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether `value` is among the field's values (selected option, checked box).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.get(name).is_some_and(|values| values.iter().any(|v| v == value))
    }

    /// The message to show next to a field.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.message_for(name)
    }

    pub fn errors(&self) -> &[FieldError] {
        self.errors.errors()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The HTML id of a field's input (dots are valid in ids but awkward in CSS selectors).
    pub fn input_id(&self, name: &str) -> String {
        format!("field-{}", name.replace('.', "-"))
    }

    /// A field's name in words for the error summary: `people_needed` is "People needed",
    /// `project_id` is "Project", `estimate.most_likely` is "Estimate most likely".
    pub fn field_label(&self, name: &str) -> String {
        let words = name.strip_suffix("_id").unwrap_or(name).replace(['.', '_'], " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// The HTML id of a field's error message, for `aria-describedby`.
    pub fn error_id(&self, name: &str) -> String {
        format!("field-{}-error", name.replace('.', "-"))
    }
}

/// One `<option>` of a select: the submitted value and the words shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

impl SelectOption {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> SelectOption {
        SelectOption { value: value.into(), label: label.into() }
    }
}

/// `options` plus the current value when it is missing from them (a select offers at most a page
/// of records; the one already chosen must stay chosen, or saving would silently drop it).
pub fn with_current(mut options: Vec<SelectOption>, current: &str) -> Vec<SelectOption> {
    if !current.is_empty() && !options.iter().any(|o| o.value == current) {
        options.push(SelectOption::new(current, current));
    }
    options
}

/// The options of a place picker: each of `places` the viewer may put the record in (`true`, see
/// [`super::panels::Rights::may_write`]), plus the current value even where they may not, so an
/// edit form shows where the record is: under its own label when it is among `places`, else as
/// [`with_current`] keeps it.
pub fn writable_with_current(
    places: impl IntoIterator<Item = (SelectOption, bool)>,
    current: &str,
) -> Vec<SelectOption> {
    let options = places.into_iter().filter(|(option, writable)| *writable || option.value == current);
    with_current(options.map(|(option, _)| option).collect(), current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> SubmittedForm {
        SubmittedForm::new(pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn reader_names_the_field_of_each_bad_value() {
        let submitted = form(&[("start", "2026-02-30"), ("budget", "12k"), ("estimate.optimistic", "1,5")]);
        let mut reader = FormReader::new(&submitted);
        assert_eq!(reader.date("start"), None);
        assert_eq!(reader.optional_integer("budget"), None);
        assert_eq!(reader.optional_integer("missing"), Some(None));
        assert_eq!(reader.number("estimate.optimistic"), Some(1.5));
        assert_eq!(reader.number("estimate.pessimistic"), None);
        let errors = reader.into_errors();
        let found: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            found,
            vec![("start", "invalid_date"), ("budget", "not_a_number"), ("estimate.pessimistic", "required")]
        );
    }

    #[test]
    fn merge_drops_domain_errors_on_fields_the_reader_rejected_and_their_relatives() {
        let reader = ValidationErrors::single("start", "invalid_date", "bad");
        let mut domain = ValidationErrors::new();
        domain.add("target_end", "before_start", "stand-in comparison");
        domain.add("name", "required", "must not be blank");
        let merged = merge_errors(reader, domain, &[&["start", "target_end"]]);
        let fields: Vec<&str> = merged.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["start", "name"]);
    }

    #[test]
    fn state_keeps_repeated_values_and_ids_avoid_dots() {
        let state = form(&[("working_days", "mon"), ("working_days", "fri")]).into_state();
        assert!(state.has("working_days", "fri"));
        assert!(!state.has("working_days", "tue"));
        assert_eq!(state.value("working_days"), "mon");
        assert_eq!(state.input_id("estimate.most_likely"), "field-estimate-most_likely");
        assert_eq!(state.error_id("name"), "field-name-error");
        assert_eq!(state.field_label("estimate.most_likely"), "Estimate most likely");
        assert_eq!(state.field_label("project_id"), "Project");
        let options = vec![SelectOption::new("a", "A")];
        assert_eq!(with_current(options.clone(), "a"), options);
        assert_eq!(with_current(options.clone(), ""), options);
        assert_eq!(with_current(options, "b")[1], SelectOption::new("b", "b"));
        let places = || vec![(SelectOption::new("a", "A"), true), (SelectOption::new("b", "B"), false)];
        assert_eq!(writable_with_current(places(), ""), vec![SelectOption::new("a", "A")]);
        assert_eq!(
            writable_with_current(places(), "b"),
            vec![SelectOption::new("a", "A"), SelectOption::new("b", "B")]
        );
        assert_eq!(writable_with_current(places(), "c")[1], SelectOption::new("c", "c"));
    }
}
