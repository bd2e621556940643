//! Raster images of the site's media: what a header says ([`probe`]) and the copies written
//! into the site at each width ([`render`]). Pure functions on bytes, safe to call from many
//! threads at once. `image` reads headers, PNG and WebP and writes JPEG and PNG; zune-jpeg
//! (under `image`) reads JPEG strictly; fast_image_resize resizes; libwebp (through `webp`)
//! writes WebP.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

/// The widths, in pixels, of the copies of a raster image (never wider than the image).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// The most pixels an image may have. A small file can claim huge dimensions (a
/// decompression bomb); past this it is refused before its pixels are decoded.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The quality of JPEG copies (1–100).
const JPEG_QUALITY: u8 = 82;

/// The quality of lossy WebP copies (0–100): about half the bytes of the JPEG copy.
const WEBP_QUALITY: f32 = 80.0;

/// The longest side libwebp writes.
const WEBP_MAX_SIDE: u32 = 16_383;

/// A raster format gen reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG: photographs.
    Jpeg,
    /// PNG: graphics, screenshots, images with transparency.
    Png,
    /// WebP, lossy or lossless.
    Webp,
}

impl Format {
    /// The file name extension for the format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    /// The format whose extension is `ext` (`jpg`, `png`, `webp`).
    pub fn of_extension(ext: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Webp]
            .into_iter()
            .find(|f| f.extension() == ext)
    }

    /// The media type of the format.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
        }
    }
}

/// What an image's header says, read without decoding its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The format, from the bytes themselves.
    pub format: Format,
    /// The width as displayed: after the EXIF orientation (orientations 5–8 swap the sides).
    pub width: u32,
    /// The height as displayed.
    pub height: u32,
}

/// One copy of an image, ready to write into the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The width of the copy, in pixels, as displayed.
    pub width: u32,
    /// The height of the copy, in pixels, as displayed.
    pub height: u32,
    /// The format the bytes are in.
    pub format: Format,
    /// The encoded file, with no metadata.
    pub bytes: Vec<u8>,
}

/// The format and displayed size of an image, from its header. Err(reason) when the bytes are
/// not a JPEG, PNG or WebP (the reason names the format found, if any), when the header is
/// unreadable (the decoder's reason), or when the image has more than [`MAX_PIXELS`].
pub fn probe(bytes: &[u8]) -> Result<Probe, String> {
    let (format, mut decoder) = open(bytes)?;
    let orientation = orientation(&mut decoder);
    let (width, height) = displayed(decoder.dimensions(), orientation);
    Ok(Probe {
        format,
        width,
        height,
    })
}

/// The widths to write for an image `width` pixels wide: each of [`WIDTHS`] below it, and
/// the image's own width when it is 1600 or less, so that nothing is upscaled. Ascending,
/// without duplicates.
pub fn widths(width: u32) -> Vec<u32> {
    let largest = width.min(WIDTHS[WIDTHS.len() - 1]);
    let mut out: Vec<u32> = WIDTHS.into_iter().filter(|&w| w < largest).collect();
    if largest > 0 {
        out.push(largest);
    }
    out
}

/// The copies of an image at each of `widths` (displayed widths, from [`widths`]): decoded
/// once, turned by its EXIF orientation, then for each width written in its own format and as
/// WebP, ordered by width, the original format before WebP. A WebP image gives one copy per
/// width. Heights keep the aspect ratio (rounded, at least 1). No metadata is carried over:
/// EXIF (GPS included), ICC profiles and text chunks are all dropped.
///
/// WebP copies of a JPEG are lossy; of a PNG, lossless; of a WebP, like the original.
/// Err(reason) when the image cannot be decoded (the decoder's reason) or refused by
/// [`probe`]'s rules. The same bytes give the same copies, byte for byte.
pub fn render(bytes: &[u8], widths: &[u32]) -> Result<Vec<Encoded>, String> {
    let (format, orientation, image) = decode(bytes)?;
    let lossy = match format {
        Format::Jpeg => true,
        Format::Png => false,
        Format::Webp => is_lossy_webp(bytes),
    };
    let stored = (image.width(), image.height());
    let mut largest_first = widths.to_vec();
    largest_first.sort_unstable_by(|a, b| b.cmp(a));
    let mut resizer = Resizer::new();
    let mut previous = image;
    let mut copies = Vec::with_capacity(largest_first.len());
    for width in largest_first {
        let size = stored_size(stored, orientation, width)?;
        // Each copy is resized from the next larger one: 3.5 times faster than each from
        // the original, and 54 dB (PSNR) from what that gives, past what an eye can tell.
        let resized = resize(&mut resizer, &previous, size)?;
        copies.push(if orientation == Orientation::NoTransforms {
            write_copies(&resized, format, lossy)?
        } else {
            // Turned after resizing: turning the copies costs a tenth of turning the original.
            let mut turned = resized.clone();
            turned.apply_orientation(orientation);
            write_copies(&turned, format, lossy)?
        });
        previous = resized;
    }
    copies.reverse();
    Ok(copies.into_iter().flatten().collect())
}

/// The format, EXIF orientation and pixels (8-bit RGB, or RGBA when the image has
/// transparency: what the encoders take) of an image.
fn decode(bytes: &[u8]) -> Result<(Format, Orientation, DynamicImage), String> {
    let (format, mut decoder) = open(bytes)?;
    let orientation = orientation(&mut decoder);
    let image = match format {
        Format::Jpeg => strict_jpeg(bytes)?,
        Format::Png | Format::Webp => DynamicImage::from_decoder(decoder).map_err(reason)?,
    };
    let pixels = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok((format, orientation, pixels))
}

/// A decoder for `bytes`, of the format its first bytes name, with [`MAX_PIXELS`] enforced.
fn open(bytes: &[u8]) -> Result<(Format, impl ImageDecoder + '_), String> {
    let format = detect(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    // Room for the largest image allowed at 16-bit RGBA; `too_large` below refuses more
    // pixels with a message of its own.
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(reason)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large(format!("{width}×{height} pixels")));
    }
    Ok((format, decoder))
}

/// The format `bytes` are in, from their first bytes (never a file name).
fn detect(bytes: &[u8]) -> Result<Format, String> {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(Format::Jpeg),
        Ok(ImageFormat::Png) => Ok(Format::Png),
        Ok(ImageFormat::WebP) => Ok(Format::Webp),
        Ok(other) => {
            let name = other
                .extensions_str()
                .first()
                .map_or_else(|| format!("{other:?}"), |e| e.to_uppercase());
            let article = if name.starts_with(['A', 'E', 'F', 'H', 'I', 'O']) {
                "an"
            } else {
                "a"
            };
            Err(format!("{article} {name} image; {HANDLED}"))
        }
        Err(_) => Err(format!("not an image gen recognises; {HANDLED}")),
    }
}

const HANDLED: &str = "gen handles JPEG, PNG and WebP";

fn too_large(what: String) -> String {
    format!(
        "the image is too large ({what}); gen handles up to {} megapixels",
        MAX_PIXELS / 1_000_000
    )
}

/// The decoder's reason, in its own words (its limits in gen's).
fn reason(error: ImageError) -> String {
    match error {
        ImageError::Limits(limit) => too_large(limit.to_string()),
        other => other.to_string(),
    }
}

/// The EXIF orientation. A damaged EXIF block leaves the pixels as stored rather than
/// refusing an image that reads well otherwise.
fn orientation(decoder: &mut impl ImageDecoder) -> Orientation {
    decoder.orientation().unwrap_or(Orientation::NoTransforms)
}

/// The displayed size of a stored `(width, height)` under `orientation`.
fn displayed((width, height): (u32, u32), orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// The height, as displayed, of the copy `width` wide of an image displayed at
/// `shown_width`×`shown_height`: what [`render`] writes, so pages can say it beforehand.
pub fn height_at(width: u32, shown_width: u32, shown_height: u32) -> u32 {
    u32::try_from(rounded_height(width, shown_width, shown_height)).unwrap_or(u32::MAX)
}

/// The aspect ratio kept, rounded to the nearest pixel, at least 1.
fn rounded_height(width: u32, shown_width: u32, shown_height: u32) -> u64 {
    let (w, h, sw) = (
        u64::from(width),
        u64::from(shown_height),
        u64::from(shown_width.max(1)),
    );
    ((w * h + sw / 2) / sw).max(1)
}

/// The stored size (before the orientation is applied) of the copy displayed `width` wide.
fn stored_size(
    stored: (u32, u32),
    orientation: Orientation,
    width: u32,
) -> Result<(u32, u32), String> {
    let (shown_width, shown_height) = displayed(stored, orientation);
    if width == 0 || shown_width == 0 {
        return Err(format!(
            "no copy {width} pixels wide of a {shown_width} pixel wide image"
        ));
    }
    let rounded = rounded_height(width, shown_width, shown_height);
    let height = u32::try_from(rounded)
        .ok()
        .filter(|&h| h <= WEBP_MAX_SIDE && width <= WEBP_MAX_SIDE)
        .ok_or_else(|| {
            format!(
                "a copy {width} pixels wide would be {rounded} high; WebP allows {WEBP_MAX_SIDE}"
            )
        })?;
    // Back to the stored sides: displayed() swaps them both ways.
    Ok(displayed((width, height), orientation))
}

/// A JPEG's pixels, read by zune-jpeg (what `image` uses) in its strict mode: `image` sets
/// it lenient, filling what a cut-short or damaged file lacks with grey, which would then be
/// published. [`open`] has enforced [`MAX_PIXELS`] already.
fn strict_jpeg(bytes: &[u8]) -> Result<DynamicImage, String> {
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let damaged = |e: String| format!("the JPEG is damaged: {}", e.trim_matches('"'));
    let pixels = decoder.decode().map_err(|e| damaged(e.to_string()))?;
    let (width, height) = decoder
        .dimensions()
        .and_then(|(w, h)| Some((u32::try_from(w).ok()?, u32::try_from(h).ok()?)))
        .ok_or_else(|| damaged("no dimensions".to_owned()))?;
    RgbImage::from_raw(width, height, pixels)
        .map(DynamicImage::ImageRgb8)
        .ok_or_else(|| damaged(format!("fewer pixels than {width}×{height}")))
}

fn is_lossy_webp(bytes: &[u8]) -> bool {
    image_webp::WebPDecoder::new(Cursor::new(bytes)).is_ok_and(|mut d| d.is_lossy())
}

/// `image` at `(width, height)` (Lanczos3; transparency premultiplied while resizing).
fn resize(
    resizer: &mut Resizer,
    image: &DynamicImage,
    (width, height): (u32, u32),
) -> Result<DynamicImage, String> {
    if (image.width(), image.height()) == (width, height) {
        return Ok(image.clone());
    }
    let mut resized = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    resizer
        .resize(image, &mut resized, &options)
        .map_err(|e| format!("resizing to {width}×{height} pixels: {e}"))?;
    Ok(resized)
}

/// The copies of one width: in the original's format, then as WebP (once for a WebP).
fn write_copies(image: &DynamicImage, format: Format, lossy: bool) -> Result<Vec<Encoded>, String> {
    let mut formats = vec![format];
    if format != Format::Webp {
        formats.push(Format::Webp);
    }
    formats
        .into_iter()
        .map(|format| {
            Ok(Encoded {
                width: image.width(),
                height: image.height(),
                format,
                bytes: write(image, format, lossy)?,
            })
        })
        .collect()
}

/// `image` as a file of `format`, without metadata (no encoder is given any).
fn write(image: &DynamicImage, format: Format, lossy: bool) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    match format {
        Format::Jpeg => {
            image.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
        }
        Format::Png => image.write_with_encoder(PngEncoder::new_with_quality(
            &mut bytes,
            CompressionType::Default,
            PngFilter::Adaptive,
        )),
        Format::Webp => return write_webp(image, lossy),
    }
    .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// `image` as WebP through libwebp, on the calling thread (so the bytes never depend on
/// threads).
fn write_webp(image: &DynamicImage, lossy: bool) -> Result<Vec<u8>, String> {
    let encoder = match (image.as_rgba8(), image.as_rgb8()) {
        (Some(rgba), _) => webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height()),
        (None, Some(rgb)) => webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height()),
        (None, None) => return Err("WebP is written from 8-bit RGB or RGBA only".to_owned()),
    };
    let mut config =
        webp::WebPConfig::new().map_err(|()| "libwebp's settings did not load".to_owned())?;
    config.thread_level = 0;
    if lossy {
        config.lossless = 0;
        config.quality = WEBP_QUALITY;
    } else {
        // The fastest lossless effort (method 0): 28% smaller than the PNG for a map-like
        // graphic and quicker to write; libwebp's default effort saves 10% more in 15 times
        // the time.
        config.lossless = 1;
        config.method = 0;
        config.quality = 0.0;
    }
    let written = encoder
        .encode_advanced(&config)
        .map_err(|e| format!("libwebp could not write the image: {e:?}"))?;
    Ok(written.to_vec())
}

#[cfg(test)]
#[path = "../../tests/shared/images.rs"]
mod images;

#[cfg(test)]
mod tests {
    use super::images;
    use super::*;

    fn formats(copies: &[Encoded]) -> Vec<(u32, u32, Format)> {
        copies
            .iter()
            .map(|c| (c.width, c.height, c.format))
            .collect()
    }

    /// A JPEG whose header claims `width` × `height` (its SOF0 segment rewritten).
    fn claiming(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = images::jpeg(16, 16);
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline JPEG has SOF0");
        bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        bytes
    }

    #[test]
    fn widths_are_the_standard_ones_below_the_image_and_never_upscale() {
        assert_eq!(widths(6000), [480, 960, 1600]);
        assert_eq!(widths(1601), [480, 960, 1600]);
        assert_eq!(widths(1600), [480, 960, 1600]);
        assert_eq!(widths(1000), [480, 960, 1000]);
        assert_eq!(widths(960), [480, 960]);
        assert_eq!(widths(481), [480, 481]);
        assert_eq!(widths(480), [480]);
        assert_eq!(widths(300), [300]);
        assert_eq!(widths(1), [1]);
        assert!(widths(0).is_empty());
    }

    #[test]
    fn probe_reads_the_format_and_size_of_jpeg_png_and_webp() {
        let cases = [
            (images::jpeg(64, 48), Format::Jpeg),
            (images::png(64, 48), Format::Png),
            (images::webp(64, 48), Format::Webp),
        ];
        for (bytes, format) in cases {
            let probe = probe(&bytes).expect("the image is read");
            assert_eq!(
                probe,
                Probe {
                    format,
                    width: 64,
                    height: 48
                }
            );
        }
    }

    #[test]
    fn probe_refuses_what_is_not_jpeg_png_or_webp_by_its_bytes() {
        assert_eq!(
            probe(b"Dear diary, today I renamed a text file to photo.jpg."),
            Err("not an image gen recognises; gen handles JPEG, PNG and WebP".to_owned())
        );
        assert_eq!(
            probe(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            Err("a GIF image; gen handles JPEG, PNG and WebP".to_owned())
        );
        assert_eq!(
            probe(b"\0\0\0\x1cftypavif"),
            Err("an AVIF image; gen handles JPEG, PNG and WebP".to_owned())
        );
    }

    #[test]
    fn images_over_the_pixel_limit_are_refused_before_decoding() {
        let bomb = claiming(12_000, 10_000);
        let expected =
            "the image is too large (12000×10000 pixels); gen handles up to 100 megapixels";
        assert_eq!(probe(&bomb), Err(expected.to_owned()));
        assert_eq!(render(&bomb, &[480]), Err(expected.to_owned()));
        let huge = probe(&claiming(60_000, 60_000)).expect_err("3.6 gigapixels");
        assert!(huge.starts_with("the image is too large ("), "{huge}");
        assert!(
            probe(&claiming(10_000, 10_000)).is_ok(),
            "100 megapixels is allowed"
        );
    }

    #[test]
    fn a_truncated_image_is_refused_by_render_with_the_decoders_reason() {
        let jpeg = images::truncated_jpeg();
        assert!(probe(&jpeg).is_ok(), "the header is whole");
        assert_eq!(
            render(&jpeg, &[64]),
            Err("the JPEG is damaged: Exhausted data in the image".to_owned())
        );
        let mut png = images::png(64, 48);
        png.truncate(png.len() / 2);
        assert_eq!(
            render(&png, &[64]),
            Err("unexpected end of file".to_owned())
        );
    }

    #[test]
    fn copies_come_in_the_original_format_then_webp_by_width() {
        let copies = render(&images::jpeg(400, 200), &[100, 400, 240]).expect("rendered");
        assert_eq!(
            formats(&copies),
            [
                (100, 50, Format::Jpeg),
                (100, 50, Format::Webp),
                (240, 120, Format::Jpeg),
                (240, 120, Format::Webp),
                (400, 200, Format::Jpeg),
                (400, 200, Format::Webp),
            ]
        );
        for copy in &copies {
            let read = probe(&copy.bytes).expect("a copy is an image");
            assert_eq!(
                (read.format, read.width, read.height),
                (copy.format, copy.width, copy.height)
            );
        }
        let png = render(&images::png(500, 333), &widths(500)).expect("rendered");
        assert_eq!(
            formats(&png),
            [
                (480, 320, Format::Png),
                (480, 320, Format::Webp),
                (500, 333, Format::Png),
                (500, 333, Format::Webp)
            ]
        );
        let webp = render(&images::webp(500, 3), &widths(500)).expect("rendered");
        assert_eq!(
            formats(&webp),
            [(480, 3, Format::Webp), (500, 3, Format::Webp)]
        );
    }

    #[test]
    fn a_png_gets_a_lossless_webp_copy() {
        let copies = render(&images::png(300, 200), &[300]).expect("rendered");
        let webp = &copies[1];
        assert_eq!(webp.format, Format::Webp);
        let read = image::load_from_memory(&webp.bytes).expect("the WebP reads");
        assert_eq!(read.to_rgb8(), images::pixels(300, 200));
    }

    #[test]
    fn the_exif_orientation_is_applied_to_the_size_and_the_pixels() {
        // Orientation 6: the stored image is shown turned 90° clockwise, so its left edge
        // (little red) is shown at the top.
        let bytes = images::jpeg_with_exif(40, 20, 6);
        let read = probe(&bytes).expect("read");
        assert_eq!((read.width, read.height), (20, 40));
        let copies = render(&bytes, &widths(read.width)).expect("rendered");
        assert_eq!(
            formats(&copies),
            [(20, 40, Format::Jpeg), (20, 40, Format::Webp)]
        );
        for copy in &copies {
            let shown = image::load_from_memory(&copy.bytes)
                .expect("decoded")
                .to_rgb8();
            assert_eq!(shown.dimensions(), (20, 40));
            let (top, bottom) = (shown.get_pixel(10, 2).0[0], shown.get_pixel(10, 37).0[0]);
            assert!(
                top + 100 < bottom,
                "{:?}: red {top} at the top, {bottom} at the bottom",
                copy.format
            );
        }
        let mirrored = probe(&images::jpeg_with_exif(40, 20, 2)).expect("read");
        assert_eq!((mirrored.width, mirrored.height), (40, 20));
    }

    #[test]
    fn copies_carry_no_exif_and_no_gps() {
        let bytes = images::jpeg_with_exif(64, 48, 1);
        assert!(images::has_gps(&bytes), "the test image has a GPS block");
        for copy in render(&bytes, &[64, 32]).expect("rendered") {
            assert!(!images::has_gps(&copy.bytes));
            let exif = copy
                .bytes
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"Exif"));
            assert!(!exif, "a {:?} copy holds EXIF", copy.format);
        }
    }

    #[test]
    fn the_same_image_gives_the_same_bytes_on_every_run_and_thread() {
        let inputs = [
            images::jpeg(300, 200),
            images::png(300, 200),
            images::webp(300, 200),
        ];
        for bytes in &inputs {
            let first = render(bytes, &[120, 300]).expect("rendered");
            let others: Vec<Vec<Encoded>> = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..3)
                    .map(|_| scope.spawn(|| render(bytes, &[120, 300]).expect("rendered")))
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().expect("no panic"))
                    .collect()
            });
            for other in others {
                assert_eq!(other, first);
            }
        }
    }
}
