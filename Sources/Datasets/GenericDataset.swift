import Foundation
import Geometry
import Trajectories

/// A folder of rectified left/right images plus a YAML calibration file.
///
/// ```yaml
/// # calib.yaml
/// fx: 707.0912          # pixels (required, > 0)
/// fy: 707.0912          # pixels (default: fx)
/// cx: 601.8873          # pixels (required)
/// cy: 183.1104          # pixels (required)
/// baseline: 0.5372      # metres (required, > 0)
/// fps: 10               # frame rate for time stamps (default 10)
/// left: left            # folder of left images, relative to the calibration file (default "left")
/// right: right          # folder of right images (default "right")
/// ground_truth: gt.txt  # optional trajectory file, one pose per frame
/// ground_truth_format: tum   # kitti | tum | euroc | tartanair (default kitti)
/// ```
/// Images are paired by sorted file name position.
public struct GenericDataset: StereoDataset {
    public let name: String
    public let camera: StereoCamera
    public let timestamps: [Double]
    public let groundTruth: Trajectory?
    public let groundTruthFormat: TrajectoryFormat
    public var cameraToGroundTruthSensor: SE3 { .identity }
    public let images: ImagePairList
    public var frameCount: Int { images.count }

    /// Opens a generic dataset from its calibration file, or from a folder holding `calib.yaml`.
    public init(path: URL) throws(DatasetError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir) else {
            throw .missingFile(path.path)
        }
        let calib = isDir.boolValue ? path.appendingPathComponent("calib.yaml") : path
        let folder = calib.deletingLastPathComponent()
        let file = try YAMLFile(path: calib.path)
        try file.requireKnownKeys(Self.keys)
        func fail(_ key: String, _ why: String) -> DatasetError { .calibration(calib.path, line: file[key]?.line, why) }
        func number(_ key: String, default value: Double? = nil) throws(DatasetError) -> Double {
            guard let entry = file[key] else {
                if let value { return value }
                throw fail(key, "missing '\(key)'")
            }
            guard let v = YAMLFile.scalar(entry.node)?.real else { throw fail(key, "'\(key)' must be a finite number") }
            return v
        }
        func text(_ key: String, default value: String) throws(DatasetError) -> String {
            guard let entry = file[key] else { return value }
            guard case let .text(v)? = YAMLFile.scalar(entry.node) else { throw fail(key, "'\(key)' must be text") }
            return v
        }
        let fx = try number("fx")
        let fy = try number("fy", default: fx)
        let fps = try number("fps", default: 10)
        guard fps > 0 else { throw fail("fps", "fps must be positive") }
        images = try ImagePairList(leftFolder: folder.appendingPathComponent(try text("left", default: "left")),
                                   rightFolder: folder.appendingPathComponent(try text("right", default: "right")))
        let size = try images.imageSize()
        let cam = StereoCamera(fx: fx, fy: fy, cx: try number("cx"), cy: try number("cy"),
                               baseline: try number("baseline"), width: size.width, height: size.height)
        camera = try validated(cam, file: calib.path, line: file[cam.baseline <= 0 ? "baseline" : "fx"]?.line)
        timestamps = (0..<images.count).map { Double($0) / fps }
        guard timestamps.allSatisfy(\.isFinite) else {
            throw fail("fps", "fps \(fps) gives times beyond any number (\(images.count) frames)")
        }
        let formatName = try text("ground_truth_format", default: "kitti")
        do { groundTruthFormat = try TrajectoryFormat(name: formatName) } catch {
            throw fail("ground_truth_format", error.description)
        }
        if file["ground_truth"] != nil {
            let url = folder.appendingPathComponent(try text("ground_truth", default: ""))
            let gt = try readTrajectory(url, groundTruthFormat)
            guard gt.count == images.count else { throw .poseCountMismatch(url.path, poses: gt.count, frames: images.count) }
            groundTruth = Trajectory(poses: gt.poses, timestamps: gt.timestamps ?? timestamps)
        } else {
            groundTruth = nil
        }
        name = folder.lastPathComponent
    }

    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame {
        let (l, r) = try images.load(index, expected: (camera.width, camera.height))
        return StereoFrame(index: index, timestamp: timestamps[index], left: l, right: r)
    }

    /// The keys a calibration file may hold.
    static let keys = ["fx", "fy", "cx", "cy", "baseline", "fps", "left", "right", "ground_truth", "ground_truth_format"]
}
