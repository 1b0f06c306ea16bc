import Geometry
import Imaging

/// A smooth random texture with corners at several scales, sampled bilinearly at any offset.
public struct Texture {
    public let width: Int, height: Int
    public var values: [Double]

    public init(width: Int, height: Int, seed: UInt64) {
        self.width = width; self.height = height
        var g = SplitMix(state: seed)
        var v = (0..<(width * height)).map { _ in Double.random(in: 0...255, using: &g) }
        // Two box blurs: blobs of a few pixels, still plenty of corners.
        for _ in 0..<2 {
            var out = v
            for y in 1..<(height - 1) { for x in 1..<(width - 1) {
                var s = 0.0
                for dy in -1...1 { for dx in -1...1 { s += v[(y + dy) * width + x + dx] } }
                out[y * width + x] = s / 9
            } }
            v = out
        }
        // Stretch the contrast back to the full range.
        let lo = v.min() ?? 0, hi = v.max() ?? 255
        values = v.map { ($0 - lo) / max(hi - lo, 1) * 255 }
    }

    public func sample(_ x: Double, _ y: Double) -> Double {
        let xc = min(max(x, 0), Double(width - 2)), yc = min(max(y, 0), Double(height - 2))
        let x0 = Int(xc), y0 = Int(yc), ax = xc - Double(x0), ay = yc - Double(y0)
        let i = y0 * width + x0
        return (1 - ay) * ((1 - ax) * values[i] + ax * values[i + 1]) + ay * ((1 - ax) * values[i + width] + ax * values[i + width + 1])
    }

    /// An image of the texture seen shifted by (dx, dy): pixel (x, y) shows texture (x + dx, y + dy).
    public func image(_ w: Int, _ h: Int, dx: Double, dy: Double) -> GreyImage {
        var px = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w {
            px[y * w + x] = UInt8(max(0, min(255, sample(Double(x) + dx + 20, Double(y) + dy + 20).rounded())))
        } }
        return GreyImage(width: w, height: h, pixels: px)
    }
}
