import Foundation
import Geometry

extension PointMap {
    /// The vertex properties of `ply`, in order: position (double), the six unique entries of the
    /// world-frame covariance (float, m²), the grey value as red = green = blue (so that viewers
    /// colour the points), the keyframe's frame index and the number of keyframes observing it.
    public static let plyProperties = [
        "double x", "double y", "double z",
        "float cov_xx", "float cov_xy", "float cov_xz", "float cov_yy", "float cov_yz", "float cov_zz",
        "uchar red", "uchar green", "uchar blue", "int keyframe", "int observations",
    ]

    /// The map as a standard PLY file: binary little-endian by default, ASCII on request.
    public func ply(ascii: Bool = false) -> Data {
        var header = "ply\nformat \(ascii ? "ascii" : "binary_little_endian") 1.0\n"
        header += "comment Parallax map: points in the world frame, metres; cov_* the 3x3 position covariance (m^2)\n"
        header += "element vertex \(points.count)\n"
        header += Self.plyProperties.map { "property \($0)\n" }.joined() + "end_header\n"
        var data = Data(header.utf8)
        if ascii {
            var text = ""
            for p in points {
                let c = p.covariance
                text += "\(p.position.x) \(p.position.y) \(p.position.z) \(Float(c[0, 0])) \(Float(c[0, 1])) \(Float(c[0, 2])) "
                    + "\(Float(c[1, 1])) \(Float(c[1, 2])) \(Float(c[2, 2])) \(p.grey) \(p.grey) \(p.grey) \(p.keyframe) \(p.observations)\n"
            }
            data.append(Data(text.utf8))
            return data
        }
        data.reserveCapacity(data.count + points.count * 63)
        for p in points {
            for v in [p.position.x, p.position.y, p.position.z] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            let c = p.covariance
            for v in [c[0, 0], c[0, 1], c[0, 2], c[1, 1], c[1, 2], c[2, 2]] {
                withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
            data.append(contentsOf: [p.grey, p.grey, p.grey])
            for v in [Int32(clamping: p.keyframe), Int32(clamping: p.observations)] {
                withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        return data
    }
}
