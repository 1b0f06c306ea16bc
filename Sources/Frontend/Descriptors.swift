import CVBridge
import Imaging

/// A 256-bit ORB descriptor (rBRIEF), compared by Hamming distance.
public struct ORBDescriptor: Sendable, Hashable {
    /// The 32 bytes as four 64-bit words (byte 0 in the low bits of `w0`).
    public var w0, w1, w2, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) { self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3 }

    /// Builds a descriptor from 32 bytes.
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32, "an ORB descriptor has 32 bytes")
        w0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        w3 = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    /// Hamming distance (0…256).
    @inlinable public func distance(to o: ORBDescriptor) -> Int {
        (w0 ^ o.w0).nonzeroBitCount + (w1 ^ o.w1).nonzeroBitCount + (w2 ^ o.w2).nonzeroBitCount + (w3 ^ o.w3).nonzeroBitCount
    }
}

extension ORBDescriptor {
    /// ORB descriptors of `image` at the given pixel positions, one bridge call for all of them:
    /// nil where a point is too close to the border (ORB's 31-pixel patch) or not finite.
    public static func describe(_ image: GreyImage, at points: [SIMD2<Double>]) throws(FrontendError) -> [ORBDescriptor?] {
        guard !points.isEmpty else { return [] }
        let uv = points.flatMap { [Float($0.x), Float($0.y)] }
        var bytes = [UInt8](repeating: 0, count: points.count * 32)
        var valid = [UInt8](repeating: 0, count: points.count)
        var err = cvb_error()
        let rc = image.pixels.withUnsafeBufferPointer { px in
            bytes.withUnsafeMutableBufferPointer { b in
                valid.withUnsafeMutableBufferPointer { v in
                    cvb_orb_describe(px.baseAddress, Int32(image.width), Int32(image.height), uv, Int32(points.count),
                                     b.baseAddress, v.baseAddress, &err)
                }
            }
        }
        guard rc >= 0 else { throw .bridge(err.text) }
        return bytes.withUnsafeBytes { raw in
            (0..<points.count).map { i in
                valid[i] != 0 ? ORBDescriptor(bytes: UnsafeRawBufferPointer(rebasing: raw[(i * 32)..<(i * 32 + 32)])) : nil
            }
        }
    }
}
