//! `ApiError`: domain errors as RFC 9457 problem responses (owned by the API work).
