//! The site's media: images read, checked and written at the sizes the pages use.

pub mod codec;
pub mod svg;
