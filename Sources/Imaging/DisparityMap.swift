/// A dense disparity map of a left image, pixels, NaN where unknown: the ground truth stereo
/// benchmarks ship (read by the Datasets module from KITTI's 16-bit PNG, value / 256, 0 unknown,
/// or a PFM, Middlebury and ETH3D, `inf` unknown).
public struct DisparityMap: Sendable {
    public let width: Int, height: Int
    /// Row-major, top row first.
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        self.width = width; self.height = height; self.values = values
    }

    /// The disparity at a sub-pixel position: bilinear between the four neighbouring pixels when
    /// all are known and within 1 px of each other (one surface), else the nearest pixel's, or nil
    /// where that is unknown or outside the map.
    public func value(x: Double, y: Double) -> Double? {
        guard x.isFinite, y.isFinite, x > -1, y > -1, x < Double(width), y < Double(height) else { return nil }
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let ax = x - Double(x0), ay = y - Double(y0)
        if x0 >= 0, y0 >= 0, x0 + 1 < width, y0 + 1 < height {
            let q = [at(x0, y0), at(x0 + 1, y0), at(x0, y0 + 1), at(x0 + 1, y0 + 1)]
            if q.allSatisfy(\.isFinite), let lo = q.min(), let hi = q.max(), hi - lo <= 1 {
                return (1 - ay) * ((1 - ax) * q[0] + ax * q[1]) + ay * ((1 - ax) * q[2] + ax * q[3])
            }
        }
        let xn = Int(x.rounded()), yn = Int(y.rounded())
        guard xn >= 0, yn >= 0, xn < width, yn < height else { return nil }
        let v = at(xn, yn)
        return v.isFinite ? v : nil
    }

    private func at(_ x: Int, _ y: Int) -> Double { Double(values[y * width + x]) }
}
