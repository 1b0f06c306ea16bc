@_exported import Imaging
import Trajectories

/// Why a dataset could not be opened or a frame not loaded. Every case names the file or folder
/// (and the line, where there is one).
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case missingFolder(String)
    case missingFile(String)
    case noFrames(String)
    case unreadableImage(String, String)
    case imageSizeMismatch(left: String, right: String, leftSize: String, rightSize: String)
    case frameCountMismatch(left: String, right: String, leftCount: Int, rightCount: Int)
    case calibration(String, line: Int?, String)
    case malformed(String, line: Int, String)
    case poseCountMismatch(String, poses: Int, frames: Int)
    case timeCountMismatch(String, times: Int, frames: Int)
    /// An image whose size differs from the sequence's (`expected`, the size of `first`).
    case imageSizeChanged(String, size: String, expected: String, first: String)
    case trajectory(TrajectoryError)
    case frameOutOfRange(Int, count: Int)

    public var description: String {
        switch self {
        case let .missingFolder(p): "\(p): folder not found"
        case let .missingFile(p): "\(p): file not found"
        case let .noFrames(p): "\(p): no images found"
        case let .unreadableImage(p, why):
            // The bridge's messages start with the path already; say it once.
            "\(p): cannot read image: \(why.hasPrefix(p + ": ") ? String(why.dropFirst(p.count + 2)) : why)"
        case let .imageSizeMismatch(l, r, ls, rs): "left and right images differ in size: \(l) is \(ls), \(r) is \(rs)"
        case let .frameCountMismatch(l, r, lc, rc): "\(l) has \(lc) images but \(r) has \(rc)"
        case let .calibration(p, line?, why): "\(p):\(line): bad calibration: \(why)"
        case let .calibration(p, nil, why): "\(p): bad calibration: \(why)"
        case let .malformed(p, line, why): "\(p):\(line): \(why)"
        case let .poseCountMismatch(p, poses, frames): "\(p): \(poses) poses for \(frames) frames (must be equal)"
        case let .timeCountMismatch(p, times, frames): "\(p): \(times) times for \(frames) frames (must be equal)"
        case let .imageSizeChanged(p, size, expected, first):
            "\(p): image is \(size) but the sequence's images are \(expected) (as \(first)): every frame must have the same size"
        case let .trajectory(e): e.description
        case let .frameOutOfRange(i, count): "frame \(i) is out of range (sequence has \(count) frames)"
        }
    }
}
