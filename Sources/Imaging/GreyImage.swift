import CVBridge

/// An 8-bit grey image, row-major, tightly packed.
public struct GreyImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixel count must be width × height")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// A uniform image.
    public init(width: Int, height: Int, value: UInt8 = 0) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: value, count: width * height))
    }

    /// "W×H", for messages.
    public var sizeDescription: String { "\(width)×\(height)" }
}

extension cvb_error {
    /// The message of a bridge error report.
    public var text: String {
        withUnsafeBytes(of: message) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
