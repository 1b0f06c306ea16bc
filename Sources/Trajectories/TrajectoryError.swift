/// Why a trajectory file could not be read or written. Every case names the file (and the line).
public enum TrajectoryError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(String)
    case unreadable(String, String)
    case empty(String)
    case malformedRow(String, line: Int, String)
    case nonFinite(String, line: Int)
    case notARotation(String, line: Int, String)
    case countMismatch(String, expected: Int, found: Int, what: String)
    case unknownFormat(String)
    case writeFailed(String, String)

    public var description: String {
        switch self {
        case let .fileNotFound(p): "\(p): no such file"
        case let .unreadable(p, why): "\(p): cannot read: \(why)"
        case let .empty(p): "\(p): no poses in file"
        case let .malformedRow(p, line, why): "\(p):\(line): malformed row: \(why)"
        case let .nonFinite(p, line): "\(p):\(line): NaN or infinite value"
        case let .notARotation(p, line, why): "\(p):\(line): rotation is not valid: \(why)"
        case let .countMismatch(p, expected, found, what):
            "\(p): \(found) \(what) but \(expected) expected"
        case let .unknownFormat(name): "unknown trajectory format '\(name)' (expected kitti, tum, euroc or tartanair)"
        case let .writeFailed(p, why): "\(p): cannot write: \(why)"
        }
    }
}
