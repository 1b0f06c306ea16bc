import Foundation
import Geometry
import Trajectories

/// One rectified stereo frame.
public struct StereoFrame: Sendable {
    public var index: Int
    /// Seconds.
    public var timestamp: Double
    public var left: GreyImage
    public var right: GreyImage

    public init(index: Int, timestamp: Double, left: GreyImage, right: GreyImage) {
        self.index = index; self.timestamp = timestamp; self.left = left; self.right = right
    }
}

/// A stereo sequence on disk: rectified camera, frames decoded on demand, optional ground truth.
///
/// One implementation per layout (KITTI odometry, TartanAir v1/v2, EuRoC MAV, generic folder).
/// Frames are decoded lazily by `frame(_:)`; `FramePrefetcher` decodes ahead on another thread.
public protocol StereoDataset: Sendable {
    /// A short human-readable name ("KITTI 06", "EuRoC V1_01", …).
    var name: String { get }
    /// The rectified stereo camera that `frame(_:)` images follow.
    var camera: StereoCamera { get }
    /// Number of stereo frames.
    var frameCount: Int { get }
    /// Time of each frame, seconds.
    var timestamps: [Double] { get }
    /// Ground-truth poses when the dataset has them. For KITTI and TartanAir there is one pose per
    /// frame; EuRoC's ground truth has its own (200 Hz) timestamps — associate by time.
    var groundTruth: Trajectory? { get }
    /// The format ground truth is conventionally exchanged in (for writing estimates).
    var groundTruthFormat: TrajectoryFormat { get }
    /// Pose of the rectified left camera in the sensor frame that ground truth describes
    /// (identity for KITTI and TartanAir; EuRoC: body ← rectified cam0). An estimate of camera
    /// poses `T_w_c` becomes comparable with ground truth as `T_w_c · cameraToGroundTruthSensor⁻¹`.
    var cameraToGroundTruthSensor: SE3 { get }
    /// Decodes (and, where needed, rectifies) frame `index`.
    func frame(_ index: Int) throws(DatasetError) -> StereoFrame
    /// What opening the dataset noticed that does not stop it (e.g. frames left out), for users.
    var warnings: [String] { get }
}

extension StereoDataset {
    public var warnings: [String] { [] }
}

/// The left and right image files of a sequence, and how to load one pair of them.
public struct ImagePairList: Sendable {
    public var left: [URL]
    public var right: [URL]

    /// Pairs the sorted image files of two folders by position; both must hold the same number.
    /// `extensions` filters file names (lower-cased).
    public init(leftFolder: URL, rightFolder: URL, extensions: Set<String> = ["png", "jpg", "jpeg", "pgm", "ppm", "bmp", "tif", "tiff"]) throws(DatasetError) {
        let l = try ImagePairList.images(in: leftFolder, extensions)
        let r = try ImagePairList.images(in: rightFolder, extensions)
        guard l.count == r.count else {
            throw .frameCountMismatch(left: leftFolder.path, right: rightFolder.path, leftCount: l.count, rightCount: r.count)
        }
        left = l; right = r
    }

    public init(left: [URL], right: [URL]) {
        precondition(left.count == right.count, "one right image per left image")
        self.left = left; self.right = right
    }

    public var count: Int { left.count }

    /// The sorted image files of a folder.
    public static func images(in folder: URL, _ extensions: Set<String>) throws(DatasetError) -> [URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw .missingFolder(folder.path)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw .missingFolder(folder.path)
        }
        let files = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !files.isEmpty else { throw .noFrames(folder.path) }
        return files.map { folder.appendingPathComponent($0) }
    }

    /// Size of the first left and right images (from PNG headers when possible), checked equal.
    public func imageSize() throws(DatasetError) -> (width: Int, height: Int) {
        let l = try GreyImage.size(of: left[0]), r = try GreyImage.size(of: right[0])
        guard l == r else {
            throw .imageSizeMismatch(left: left[0].path, right: right[0].path, leftSize: "\(l.width)×\(l.height)", rightSize: "\(r.width)×\(r.height)")
        }
        return l
    }

    /// Decodes pair `i`, checking that both images have the expected size.
    public func load(_ i: Int, expected: (width: Int, height: Int)) throws(DatasetError) -> (GreyImage, GreyImage) {
        guard i >= 0 && i < count else { throw .frameOutOfRange(i, count: count) }
        let l = try GreyImage.decode(left[i]), r = try GreyImage.decode(right[i])
        guard l.width == r.width, l.height == r.height else {
            throw .imageSizeMismatch(left: left[i].path, right: right[i].path, leftSize: l.sizeDescription, rightSize: r.sizeDescription)
        }
        guard l.width == expected.width, l.height == expected.height else {
            throw .imageSizeChanged(left[i].path, size: l.sizeDescription, expected: "\(expected.width)×\(expected.height)", first: left[0].path)
        }
        return (l, r)
    }
}

/// Checks a folder exists.
func requireFolder(_ url: URL) throws(DatasetError) {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
        throw .missingFolder(url.path)
    }
}

/// Reads ground truth through the trajectory reader, mapping its errors.
func readTrajectory(_ url: URL, _ format: TrajectoryFormat) throws(DatasetError) -> Trajectory {
    do { return try TrajectoryFormat.read(url, format: format) } catch { throw .trajectory(error) }
}

/// Validates a camera, mapping the error to a calibration error naming `file`.
func validated(_ cam: StereoCamera, file: String, line: Int? = nil) throws(DatasetError) -> StereoCamera {
    do { try cam.validate() } catch { throw .calibration(file, line: line, error.description) }
    return cam
}
