//! The body of a CSV import form: the CSV pasted into its `csv` textarea, or a `.csv` file chosen
//! in its `file` input, never both.
//!
//! The forms are sent as `multipart/form-data`; a url-encoded body (the form before it took
//! files, or a script) is read too and can only carry pasted text. The file is read up to
//! [`crate::MAX_CSV_FILE_BYTES`]; it must be UTF-8 (a byte order mark is allowed: the CSV reader
//! skips it). Problems with the body's shape are [`ValidationErrors`] on `file` or `csv`, shown
//! like the CSV's own: an empty file, or nothing at all, is handed to the CSV reader as empty
//! text, so it reads exactly as an empty paste does.

use axum::Form;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request};
use axum::response::{IntoResponse, Response};
use tandem_domain::ValidationErrors;

use super::form::{FormState, SubmittedForm};
use crate::MAX_CSV_FILE_BYTES;
use crate::auth::is_multipart_form;

/// The textarea's name.
const TEXT_FIELD: &str = "csv";
/// The file input's name.
const FILE_FIELD: &str = "file";

/// The file size limit as the forms and their errors state it ("512 KiB").
pub fn file_limit() -> String {
    format!("{} KiB", MAX_CSV_FILE_BYTES / 1024)
}

/// Whether `path` is one of the CSV import forms' targets (their 413 page says the file limit).
pub fn is_import_path(path: &str) -> bool {
    path.starts_with("/products/") && (path.ends_with("/insights/import") || path.ends_with("/metrics/import"))
}

/// What was in the file input.
#[derive(Debug)]
enum FileContents {
    Text(String),
    TooLarge,
    /// Not UTF-8: the line (from 1) holding the first bad byte.
    NotUtf8 {
        line: usize,
    },
}

#[derive(Debug)]
struct ChosenFile {
    contents: FileContents,
}

/// A submitted import form.
#[derive(Debug)]
pub struct CsvUpload {
    /// The text fields, as typed (the pasted CSV among them).
    form: SubmittedForm,
    /// The file, when one was chosen (a browser sends an empty, nameless part when none was).
    file: Option<ChosenFile>,
    /// Problems found while reading the parts (a second file, a text part that is not UTF-8).
    problems: ValidationErrors,
}

impl CsvUpload {
    /// Reads the form's body. A body that is neither a url-encoded form nor well-formed multipart
    /// is the extractor's rejection, which becomes the "form could not be read" page.
    pub async fn read(request: Request) -> Result<CsvUpload, Response> {
        if !is_multipart_form(request.headers()) {
            let Form(pairs) =
                Form::<Vec<(String, String)>>::from_request(request, &()).await.map_err(IntoResponse::into_response)?;
            return Ok(CsvUpload { form: SubmittedForm::new(pairs), file: None, problems: ValidationErrors::new() });
        }
        let mut multipart = Multipart::from_request(request, &()).await.map_err(IntoResponse::into_response)?;
        let mut pairs = Vec::new();
        let mut file = None;
        let mut problems = ValidationErrors::new();
        while let Some(field) = multipart.next_field().await.map_err(IntoResponse::into_response)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILE_FIELD {
                let chosen = read_file(field).await?;
                match (chosen, &file) {
                    (None, _) => {}
                    (Some(chosen), None) => file = Some(chosen),
                    (Some(_), Some(_)) => problems.add(FILE_FIELD, "invalid", "choose one file only"),
                }
                continue;
            }
            let bytes = field.bytes().await.map_err(IntoResponse::into_response)?;
            match String::from_utf8(bytes.to_vec()) {
                Ok(text) => pairs.push((name, text)),
                Err(_) => problems.add(name, "invalid", "must be UTF-8 text"),
            }
        }
        Ok(CsvUpload { form: SubmittedForm::new(pairs), file, problems })
    }

    /// The CSV text to import: the file's when one was chosen, else the pasted text (perhaps
    /// empty, which the CSV reader reports as an empty file). `Err` when both were given, or the
    /// file is too large or not UTF-8: nothing is to be imported.
    pub fn csv_text(&self) -> Result<&str, ValidationErrors> {
        if !self.problems.is_empty() {
            return Err(self.problems.clone());
        }
        let pasted = self.form.text(TEXT_FIELD);
        let Some(file) = &self.file else { return Ok(pasted) };
        if !pasted.trim().is_empty() {
            return Err(ValidationErrors::single(
                TEXT_FIELD,
                "ambiguous",
                "choose a file or paste the text, not both (clear the text to import the file)",
            ));
        }
        match &file.contents {
            FileContents::Text(text) => Ok(text),
            FileContents::TooLarge => Err(ValidationErrors::single(
                FILE_FIELD,
                "too_long",
                format!("is larger than {}: split it into smaller files and import each", file_limit()),
            )),
            FileContents::NotUtf8 { line } => Err(ValidationErrors::single(
                FILE_FIELD,
                "invalid",
                format!("must be UTF-8 text, and line {line} is not: save the file as UTF-8 and choose it again"),
            )),
        }
    }

    /// The form as it was typed, for re-rendering (a file input cannot be refilled).
    pub fn into_state(self) -> FormState {
        self.form.into_state()
    }
}

/// Reads the file part: `None` when no file was chosen (no name and no bytes), else its text,
/// or why there is none. Reading stops at the size limit.
async fn read_file(mut field: Field<'_>) -> Result<Option<ChosenFile>, Response> {
    let named = field.file_name().is_some_and(|name| !name.is_empty());
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(IntoResponse::into_response)? {
        if bytes.len() + chunk.len() > MAX_CSV_FILE_BYTES {
            return Ok(Some(ChosenFile { contents: FileContents::TooLarge }));
        }
        bytes.extend_from_slice(&chunk);
    }
    if !named && bytes.is_empty() {
        return Ok(None);
    }
    let contents = match String::from_utf8(bytes) {
        Ok(text) => FileContents::Text(text),
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            FileContents::NotUtf8 { line: valid.iter().filter(|b| **b == b'\n').count() + 1 }
        }
    };
    Ok(Some(ChosenFile { contents }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(pasted: &str, file: Option<FileContents>) -> CsvUpload {
        CsvUpload {
            form: SubmittedForm::new(vec![(TEXT_FIELD.to_owned(), pasted.to_owned())]),
            file: file.map(|contents| ChosenFile { contents }),
            problems: ValidationErrors::new(),
        }
    }

    fn message(result: Result<&str, ValidationErrors>) -> String {
        let errors = result.expect_err("refused");
        errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn the_file_or_the_pasted_text_is_imported_never_both() {
        assert_eq!(upload("a,b\n", None).csv_text(), Ok("a,b\n"));
        assert_eq!(upload("", None).csv_text(), Ok(""));
        assert_eq!(upload("  \n", Some(FileContents::Text("x\n".into()))).csv_text(), Ok("x\n"));
        assert_eq!(upload("", Some(FileContents::Text(String::new()))).csv_text(), Ok(""));
        assert_eq!(
            message(upload("a", Some(FileContents::Text("x".into()))).csv_text()),
            "csv: choose a file or paste the text, not both (clear the text to import the file)"
        );
        assert_eq!(
            message(upload("", Some(FileContents::TooLarge)).csv_text()),
            "file: is larger than 512 KiB: split it into smaller files and import each"
        );
        assert_eq!(
            message(upload("", Some(FileContents::NotUtf8 { line: 3 })).csv_text()),
            "file: must be UTF-8 text, and line 3 is not: save the file as UTF-8 and choose it again"
        );
    }

    #[test]
    fn import_paths_are_the_two_forms() {
        assert!(is_import_path("/products/0192/insights/import"));
        assert!(is_import_path("/products/0192/metrics/import"));
        assert!(!is_import_path("/products/0192/metrics"));
        assert!(!is_import_path("/programs"));
    }
}
