import CVBridge
import Foundation
import Imaging

extension DisparityMap {
    /// Reads a map; the format follows the extension (`.png`, `.pfm`).
    public static func read(_ url: URL) throws(DatasetError) -> DisparityMap {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missingFile(url.path) }
        switch url.pathExtension.lowercased() {
        case "png": return try readPNG(url)
        case "pfm": return try readPFM(url)
        default: throw .malformed(url.path, line: 1, "disparity maps are read from 16-bit PNG (KITTI) or PFM files")
        }
    }

    private static func readPNG(_ url: URL) throws(DatasetError) -> DisparityMap {
        var pixels: UnsafeMutablePointer<UInt16>?
        var w: Int32 = 0, h: Int32 = 0
        var err = cvb_error()
        guard cvb_png_decode16(url.path, &pixels, &w, &h, &err) == CVB_OK.rawValue, let pixels else {
            throw .malformed(url.path, line: 1, bridgeMessage(err))
        }
        defer { free(pixels) }
        let n = Int(w) * Int(h)
        let values = (0..<n).map { pixels[$0] == 0 ? Float.nan : Float(pixels[$0]) / 256 }
        return DisparityMap(width: Int(w), height: Int(h), values: values)
    }

    /// PFM: "Pf" (grey) or "PF" (colour: the first channel is used), "W H", a scale whose sign
    /// gives the byte order (negative: little endian), then rows of 32-bit floats, bottom row first.
    private static func readPFM(_ url: URL) throws(DatasetError) -> DisparityMap {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .malformed(url.path, line: 1, "not readable") }
        let bytes = [UInt8](data)
        var position = 0
        func token() -> String? {
            while position < bytes.count, bytes[position] == 32 || bytes[position] == 10 || bytes[position] == 13 || bytes[position] == 9 {
                position += 1
            }
            let start = position
            while position < bytes.count, !(bytes[position] == 32 || bytes[position] == 10 || bytes[position] == 13 || bytes[position] == 9) {
                position += 1
            }
            return start < position ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
        }
        let kind = token()
        guard kind == "Pf" || kind == "PF", let w = token().flatMap({ Int($0) }), let h = token().flatMap({ Int($0) }),
              let scale = token().flatMap({ Double($0) }), w > 0, h > 0, w <= 100_000, h <= 100_000, scale != 0 else {
            throw .malformed(url.path, line: 1, "not a PFM header ('Pf' or 'PF', width, height, scale)")
        }
        position += 1   // the single whitespace byte after the scale
        let channels = kind == "PF" ? 3 : 1
        let needed = w * h * channels * 4
        guard bytes.count - position >= needed else {
            throw .malformed(url.path, line: 3, "PFM data holds \(bytes.count - position) bytes, \(needed) expected for \(w)×\(h)")
        }
        var values = [Float](repeating: .nan, count: w * h)
        for row in 0..<h {
            for x in 0..<w {
                let o = position + ((row * w + x) * channels) * 4
                var bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                if scale > 0 { bits = bits.byteSwapped }
                let v = Float(bitPattern: bits)
                values[(h - 1 - row) * w + x] = v.isFinite ? v : .nan
            }
        }
        return DisparityMap(width: w, height: h, values: values)
    }
}
