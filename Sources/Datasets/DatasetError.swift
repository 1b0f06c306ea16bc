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
    case trajectory(TrajectoryError)
    case frameOutOfRange(Int, count: Int)

    public var description: String {
        switch self {
        case let .missingFolder(p): "\(p): folder not found"
        case let .missingFile(p): "\(p): file not found"
        case let .noFrames(p): "\(p): no images found"
        case let .unreadableImage(p, why): "\(p): cannot read image: \(why)"
        case let .imageSizeMismatch(l, r, ls, rs): "left and right images differ in size: \(l) is \(ls), \(r) is \(rs)"
        case let .frameCountMismatch(l, r, lc, rc): "\(l) has \(lc) images but \(r) has \(rc)"
        case let .calibration(p, line?, why): "\(p):\(line): bad calibration: \(why)"
        case let .calibration(p, nil, why): "\(p): bad calibration: \(why)"
        case let .malformed(p, line, why): "\(p):\(line): \(why)"
        case let .poseCountMismatch(p, poses, frames): "\(p): \(poses) poses for \(frames) frames (must be equal)"
        case let .trajectory(e): e.description
        case let .frameOutOfRange(i, count): "frame \(i) is out of range (sequence has \(count) frames)"
        }
    }
}
