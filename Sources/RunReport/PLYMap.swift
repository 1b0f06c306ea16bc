import Foundation
import Geometry

/// A map point as the report draws it: position, the trace of its covariance and its keyframe.
public struct MapPoint: Sendable {
    public var position: Vec3
    /// cov_xx + cov_yy + cov_zz, m².
    public var trace: Double
    public var keyframe: Int
}

/// Reads the vertices of a map.ply (binary little-endian or ASCII; any property order, the
/// property types PLY defines) as `MapPoint`s: `x y z`, `cov_xx cov_yy cov_zz` and `keyframe`.
enum PLYMap {
    private static let sizes: [String: Int] = [
        "char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
        "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4, "double": 8, "float64": 8,
    ]

    static func read(_ url: URL) throws(ReportError) -> [MapPoint] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .malformed(url.path, line: nil, "unreadable (\(error.localizedDescription))") }
        guard let end = data.range(of: Data("end_header\n".utf8)) else { throw .malformed(url.path, line: 1, "no PLY header") }
        let header = String(decoding: data[..<end.lowerBound], as: UTF8.self).split(separator: "\n").map(String.init)
        guard header.first == "ply" else { throw .malformed(url.path, line: 1, "not a PLY file") }
        var ascii = false, count = 0, properties: [(type: String, name: String)] = [], inVertex = false
        for (i, line) in header.enumerated() {
            let w = line.split(separator: " ").map(String.init)
            switch w.first {
            case "format":
                guard w.count >= 2, ["ascii", "binary_little_endian"].contains(w[1]) else {
                    throw .malformed(url.path, line: i + 1, "unsupported PLY format (ascii or binary_little_endian)")
                }
                ascii = w[1] == "ascii"
            case "element":
                inVertex = w.count == 3 && w[1] == "vertex"
                if inVertex { count = Int(w[2]) ?? -1 }
            case "property" where inVertex:
                guard w.count == 3, sizes[w[1]] != nil else { throw .malformed(url.path, line: i + 1, "unsupported vertex property '\(line)'") }
                properties.append((w[1], w[2]))
            default: break
            }
        }
        let names = properties.map(\.name)
        let needed = ["x", "y", "z", "cov_xx", "cov_yy", "cov_zz", "keyframe"].map { names.firstIndex(of: $0) }
        let columns = needed.compactMap { $0 }
        guard count >= 0, columns.count == needed.count else {
            throw .malformed(url.path, line: nil, "the vertex element lacks x, y, z, cov_xx, cov_yy, cov_zz or keyframe")
        }
        let body = data[end.upperBound...]
        let rows = ascii ? try asciiRows(body, count: count, width: properties.count, url)
                         : try binaryRows(body, count: count, types: properties.map(\.type), url)
        return try rows.enumerated().map { (i, r) throws(ReportError) -> MapPoint in
            let v = columns.map { r[$0] }
            guard let keyframe = Int(exactly: v[6]) else { throw .malformed(url.path, line: nil, "vertex \(i): keyframe \(v[6]) is not an integer") }
            return MapPoint(position: Vec3(v[0], v[1], v[2]), trace: v[3] + v[4] + v[5], keyframe: keyframe)
        }
    }

    private static func asciiRows(_ body: Data, count: Int, width: Int, _ url: URL) throws(ReportError) -> [[Double]] {
        let lines = String(decoding: body, as: UTF8.self).split(separator: "\n")
        guard lines.count >= count else { throw .malformed(url.path, line: nil, "\(lines.count) vertices where the header says \(count)") }
        return try lines.prefix(count).enumerated().map { (i, line) throws(ReportError) -> [Double] in
            let v = line.split(separator: " ").compactMap { Double($0) }
            guard v.count == width else { throw .malformed(url.path, line: nil, "vertex \(i): \(v.count) numbers where \(width) are declared") }
            return v
        }
    }

    private static func binaryRows(_ body: Data, count: Int, types: [String], _ url: URL) throws(ReportError) -> [[Double]] {
        let stride = types.reduce(0) { $0 + (sizes[$1] ?? 0) }
        let (total, overflow) = count.multipliedReportingOverflow(by: stride)
        guard !overflow, body.count >= total else {
            throw .malformed(url.path, line: nil, "\(body.count) bytes of vertices where \(count) × \(stride) are declared (truncated?)")
        }
        let bytes = [UInt8](body.prefix(total))
        return (0..<count).map { v in
            var offset = v * stride
            return types.map { t in
                defer { offset += sizes[t] ?? 0 }
                return value(bytes, offset, t)
            }
        }
    }

    private static func value(_ b: [UInt8], _ o: Int, _ type: String) -> Double {
        func u(_ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
        switch type {
        case "char", "int8": return Double(Int8(bitPattern: b[o]))
        case "uchar", "uint8": return Double(b[o])
        case "short", "int16": return Double(Int16(truncatingIfNeeded: u(2)))
        case "ushort", "uint16": return Double(u(2))
        case "int", "int32": return Double(Int32(truncatingIfNeeded: u(4)))
        case "uint", "uint32": return Double(u(4))
        case "float", "float32": return Double(Float(bitPattern: UInt32(u(4))))
        default: return Double(bitPattern: u(8))
        }
    }
}
