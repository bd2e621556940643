//! Images made at test time (never checked-in binaries), shared by the integration tests
//! (`tests/it/main.rs`) and the unit tests of `src/media/codec.rs`, each of which includes
//! this file with `#[path]`. The same call gives the same bytes.

// Each includer uses a part of these.
#![allow(dead_code)]

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ImageEncoder, RgbImage};

/// Photo-like pixels: red rising from left to right, green from top to bottom, and a fine
/// grain, so that a copy shows which way it was turned.
pub fn pixels(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let grain = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 17;
        let red = x * 238 / width.max(1) + grain;
        let green = y * 238 / height.max(1) + grain;
        let blue = 96 + (x + y) % 32 + grain;
        image::Rgb([red, green, blue].map(|c| c.min(255) as u8))
    })
}

/// A JPEG of [`pixels`] (quality 90), with no metadata.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(width, height, None)
}

/// A PNG of [`pixels`].
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("a PNG is written");
    bytes
}

/// A (lossless) WebP of [`pixels`].
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    WebPEncoder::new_lossless(&mut bytes)
        .write_image(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("a WebP is written");
    bytes
}

/// A JPEG with an EXIF APP1 segment: the Orientation tag (1–8) and a GPS block (latitude and
/// longitude).
pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    encode_jpeg(width, height, Some(exif(orientation)))
}

/// A valid JPEG cut in half.
pub fn truncated_jpeg() -> Vec<u8> {
    let mut bytes = jpeg(64, 48);
    bytes.truncate(bytes.len() / 2);
    bytes
}

/// Whether a JPEG carries an EXIF GPS block.
pub fn has_gps(jpeg: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(jpeg))
        .is_ok_and(|exif| exif.fields().any(|f| f.tag.context() == exif::Context::Gps))
}

fn encode_jpeg(width: u32, height: u32, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).expect("JPEG takes EXIF");
    }
    encoder
        .write_image(
            pixels(width, height).as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("a JPEG is written");
    bytes
}

/// A little-endian TIFF block: IFD0 with Orientation and a GPSInfo pointer, then the GPS IFD
/// with GPSLatitudeRef, GPSLatitude, GPSLongitudeRef and GPSLongitude (52°31′N 13°24′E).
fn exif(orientation: u16) -> Vec<u8> {
    const IFD0: u32 = 8;
    const GPS: u32 = IFD0 + 2 + 2 * 12 + 4;
    const LATITUDE: u32 = GPS + 2 + 4 * 12 + 4;
    const LONGITUDE: u32 = LATITUDE + 24;
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(IFD0.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, u32::from(orientation)));
    tiff.extend(entry(0x8825, 4, 1, GPS));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from(b'N')));
    tiff.extend(entry(0x0002, 5, 3, LATITUDE));
    tiff.extend(entry(0x0003, 2, 2, u32::from(b'E')));
    tiff.extend(entry(0x0004, 5, 3, LONGITUDE));
    tiff.extend(0u32.to_le_bytes());
    for (degrees, minutes) in [(52u32, 31u32), (13, 24)] {
        for (numerator, denominator) in [(degrees, 1u32), (minutes, 1), (0, 1)] {
            tiff.extend(numerator.to_le_bytes());
            tiff.extend(denominator.to_le_bytes());
        }
    }
    tiff
}

/// One 12-byte IFD entry; `value` is the value itself when it fits in 4 bytes (little-endian,
/// so a SHORT or a 1-character string sits in the first bytes), else the offset of it.
fn entry(tag: u16, kind: u16, count: u32, value: u32) -> Vec<u8> {
    let mut entry = tag.to_le_bytes().to_vec();
    entry.extend(kind.to_le_bytes());
    entry.extend(count.to_le_bytes());
    entry.extend(value.to_le_bytes());
    entry
}
