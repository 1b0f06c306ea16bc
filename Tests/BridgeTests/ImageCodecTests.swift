import CVBridge
import Foundation
import TestSupport
import Testing

private func message(_ e: cvb_error) -> String {
    withUnsafeBytes(of: e.message) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
}

/// Writes an image through the bridge and decodes it back to 8-bit grey.
private func roundTrip(_ name: String, width: Int, height: Int, channels: Int, bits: Int,
                       fill: (Int, Int, Int) -> Int) throws -> cvb_image {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.url.appendingPathComponent(name).path
    var err = cvb_error()
    var img = cvb_image()
    if bits == 8 {
        var px = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { px[(y * width + x) * channels + c] = UInt8(fill(x, y, c)) } } }
        #expect(cvb_image_write(path, px, Int32(width), Int32(height), Int32(channels), 8, &err) == CVB_OK.rawValue, "\(message(err))")
    } else {
        var px = [UInt16](repeating: 0, count: width * height * channels)
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { px[(y * width + x) * channels + c] = UInt16(fill(x, y, c)) } } }
        #expect(cvb_image_write(path, px, Int32(width), Int32(height), Int32(channels), 16, &err) == CVB_OK.rawValue, "\(message(err))")
    }
    #expect(cvb_image_decode(path, &img, &err) == CVB_OK.rawValue, "\(message(err))")
    return img
}

@Suite struct ImageCodecTests {
    @Test func decodes8BitGreyPNGExactly() throws {
        var img = try roundTrip("g8.png", width: 37, height: 21, channels: 1, bits: 8) { x, y, _ in (x * 7 + y * 3) % 256 }
        defer { cvb_image_free(&img) }
        #expect(img.width == 37 && img.height == 21 && img.source_depth_bits == 8 && img.source_channels == 1)
        let px = try #require(img.pixels)
        #expect(px[5 * 37 + 11] == UInt8((11 * 7 + 5 * 3) % 256))
    }

    /// Smooth rows, ramps and noise make libpng's writer pick different row filters (Sub, Up,
    /// Average, Paeth): the libdeflate fast path must undo each exactly.
    @Test func decodes8BitGreyPNGOfEveryFilterExactly() throws {
        let (w, h) = (203, 64)
        let fill = { (x: Int, y: Int, _: Int) -> Int in
            switch y % 4 {
            case 0: return (x * 3 + y) % 256
            case 1: return y * 4
            case 2: return (x * x * 31 + y * 17 + x * y * 13) % 256
            default: return (x / 9 * 40 + y * 2) % 256
            }
        }
        var img = try roundTrip("filters.png", width: w, height: h, channels: 1, bits: 8, fill: fill)
        defer { cvb_image_free(&img) }
        #expect(img.width == Int32(w) && img.height == Int32(h))
        let px = try #require(img.pixels)
        var wrong = 0
        for y in 0..<h { for x in 0..<w where Int(px[y * w + x]) != fill(x, y, 0) { wrong += 1 } }
        #expect(wrong == 0)
    }

    /// The writer's PNGs read back exactly through libpng (an independent decoder that checks
    /// every chunk's CRC and the zlib stream): 16-bit grey, rows that make the writer pick each
    /// filter type, and the same bytes for the same pixels.
    @Test func writerOutputReadsExactlyThroughLibpng() throws {
        let (w, h) = (97, 40)
        var px = [UInt16](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let v: Int
                switch y % 4 {
                case 0: v = x * 611 + y
                case 1: v = y * 1500
                case 2: v = (x * x * 7919 + y * 104_729 + x * y * 13) % 65536
                default: v = (x / 9) * 4000 + y * 2
                }
                px[y * w + x] = UInt16(v % 65536)
            }
        }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var err = cvb_error()
        let a = dir.url.appendingPathComponent("a.png").path, b = dir.url.appendingPathComponent("b.png").path
        #expect(cvb_image_write(a, px, Int32(w), Int32(h), 1, 16, &err) == CVB_OK.rawValue, "\(message(err))")
        #expect(cvb_image_write(b, px, Int32(w), Int32(h), 1, 16, &err) == CVB_OK.rawValue, "\(message(err))")
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
        var out: UnsafeMutablePointer<UInt16>?
        var rw: Int32 = 0, rh: Int32 = 0
        #expect(cvb_png_decode16(a, &out, &rw, &rh, &err) == CVB_OK.rawValue, "\(message(err))")
        defer { free(out) }
        let decoded = try #require(out)
        #expect(rw == Int32(w) && rh == Int32(h))
        #expect((0..<(w * h)).allSatisfy { decoded[$0] == px[$0] })
    }

    @Test func scales16BitToEightBit() throws {
        var img = try roundTrip("g16.png", width: 8, height: 4, channels: 1, bits: 16) { x, _, _ in x * 8000 }
        defer { cvb_image_free(&img) }
        #expect(img.source_depth_bits == 16)
        let px = try #require(img.pixels)
        #expect(px[3] == UInt8((3 * 8000 / 256.0).rounded()))
    }

    @Test func convertsColourToGrey() throws {
        // RGB = (255, 0, 0): pure red → grey 0.299 · 255 ≈ 76.
        var img = try roundTrip("c8.png", width: 6, height: 5, channels: 3, bits: 8) { _, _, c in c == 0 ? 255 : 0 }
        defer { cvb_image_free(&img) }
        #expect(img.source_channels == 3)
        let px = try #require(img.pixels)
        #expect(abs(Int(px[0]) - 76) <= 1)
    }

    @Test func converts16BitColourToGrey() throws {
        var img = try roundTrip("c16.png", width: 4, height: 3, channels: 3, bits: 16) { _, _, c in [40000, 20000, 10000][c] }
        defer { cvb_image_free(&img) }
        #expect(img.source_depth_bits == 16 && img.source_channels == 3)
        let px = try #require(img.pixels)
        let expected = (0.299 * 40000 + 0.587 * 20000 + 0.114 * 10000) / 256
        #expect(abs(Double(px[5]) - expected) <= 0.5)
    }

    @Test func reportsTruncatedPNGAndJPEG() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var err = cvb_error()
        var img = cvb_image()
        for name in ["t.png", "t.jpg"] {
            let url = dir.url.appendingPathComponent(name)
            let px = [UInt8](repeating: 77, count: 64 * 64)
            #expect(cvb_image_write(url.path, px, 64, 64, 1, 8, &err) == CVB_OK.rawValue)
            let data = try Data(contentsOf: url)
            try data.prefix(data.count / 3).write(to: url)
            let rc = cvb_image_decode(url.path, &img, &err)
            #expect(rc == CVB_ERR_DECODE.rawValue, "\(name): \(message(err))")
            #expect(message(err).contains(name))
            cvb_image_free(&img)
        }
    }

    @Test func decodesJPEG() throws {
        var img = try roundTrip("j.jpg", width: 32, height: 16, channels: 1, bits: 8) { _, _, _ in 128 }
        defer { cvb_image_free(&img) }
        let px = try #require(img.pixels)
        #expect(abs(Int(px[40]) - 128) <= 2)
    }

    @Test func reportsMissingAndCorruptFiles() throws {
        var img = cvb_image()
        var err = cvb_error()
        #expect(cvb_image_decode("/nonexistent/parallax.png", &img, &err) == CVB_ERR_IO.rawValue)
        #expect(message(err).contains("/nonexistent/parallax.png"))
        #expect(img.pixels == nil)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let bad = dir.url.appendingPathComponent("corrupt.png")
        try Data("this is not a PNG".utf8).write(to: bad)
        #expect(cvb_image_decode(bad.path, &img, &err) == CVB_ERR_DECODE.rawValue)
        #expect(message(err).contains("corrupt.png"))
    }

    @Test func rectifierRejectsBadCalibration() {
        var cam = cvb_camera()
        cam.fx = -1; cam.fy = 400; cam.cx = 320; cam.cy = 240
        var out = cvb_rectification()
        var err = cvb_error()
        let r: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [Double] = [-0.1, 0, 0]
        #expect(cvb_rectifier_create(&cam, &cam, r, t, 640, 480, &out, &err) == nil)
        #expect(err.code == CVB_ERR_ARGUMENT.rawValue)
    }

    @Test func rectifiesAnIdealPairToItsOwnIntrinsics() throws {
        var cam = cvb_camera()
        cam.fx = 400; cam.fy = 400; cam.cx = 320; cam.cy = 240
        var out = cvb_rectification()
        var err = cvb_error()
        // Right camera 0.1 m to the right: p_right = p_left − (0.1, 0, 0).
        let r: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1], t: [Double] = [-0.1, 0, 0]
        let h = try #require(cvb_rectifier_create(&cam, &cam, r, t, 640, 480, &out, &err))
        defer { cvb_rectifier_free(h) }
        #expect(abs(out.baseline - 0.1) < 1e-9)
        #expect(abs(out.fx - 400) < 1e-6 && abs(out.cx - 320) < 1 && abs(out.cy - 240) < 1)
    }
}
