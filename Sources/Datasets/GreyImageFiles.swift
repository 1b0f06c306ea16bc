import CVBridge
import Foundation
import Imaging

extension GreyImage {
    /// Decodes an image file (PNG, JPEG, …; 8 or 16 bit; grey or colour) into 8-bit grey.
    public static func decode(_ url: URL) throws(DatasetError) -> GreyImage {
        var image = cvb_image()
        var err = cvb_error()
        let rc = cvb_image_decode(url.path, &image, &err)
        defer { cvb_image_free(&image) }
        guard rc == CVB_OK.rawValue, let px = image.pixels else {
            if !FileManager.default.fileExists(atPath: url.path) { throw .missingFile(url.path) }
            throw .unreadableImage(url.path, bridgeMessage(err))
        }
        let n = Int(image.width) * Int(image.height)
        return GreyImage(width: Int(image.width), height: Int(image.height),
                         pixels: Array(UnsafeBufferPointer(start: px, count: n)))
    }

    /// Writes the image (8-bit grey; the codec follows the extension, e.g. `.png`).
    public func write(to url: URL) throws(DatasetError) {
        var err = cvb_error()
        let rc = pixels.withUnsafeBufferPointer { cvb_image_write(url.path, $0.baseAddress, Int32(width), Int32(height), 1, 8, &err) }
        guard rc == CVB_OK.rawValue else { throw .unreadableImage(url.path, bridgeMessage(err)) }
    }

    /// Reads the size of a PNG from its header without decoding it; `nil` if not a PNG.
    static func pngSize(_ url: URL) -> (width: Int, height: Int)? {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? h.close() }
        guard let d = try? h.read(upToCount: 24), d.count == 24,
              d.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        let b = [UInt8](d)
        func be32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        return (be32(16), be32(20))
    }

    /// Image size from the header for PNG files, else by decoding.
    static func size(of url: URL) throws(DatasetError) -> (width: Int, height: Int) {
        if let s = pngSize(url) { return s }
        let img = try decode(url)
        return (img.width, img.height)
    }
}

/// The message of a bridge error report.
func bridgeMessage(_ err: cvb_error) -> String { err.text }
