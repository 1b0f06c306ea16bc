import Foundation
import Geometry
import Trajectories
import Yams

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
        guard let text = try? String(contentsOf: calib, encoding: .utf8) else { throw .missingFile(calib.path) }
        let node: [String: Any]
        do {
            guard let n = try Yams.load(yaml: text) as? [String: Any] else {
                throw DatasetError.calibration(calib.path, line: nil, "not a YAML mapping")
            }
            node = n
        } catch let e as DatasetError { throw e } catch let e as YamlError {
            throw .calibration(calib.path, line: nil, "YAML: \(e)")
        } catch {
            throw .calibration(calib.path, line: nil, "YAML: \(error)")
        }
        func number(_ key: String, default value: Double? = nil) throws(DatasetError) -> Double {
            guard let raw = node[key] else {
                if let value { return value }
                throw .calibration(calib.path, line: GenericDataset.line(of: key, in: text), "missing '\(key)'")
            }
            guard let v = (raw as? Double) ?? (raw as? Int).map(Double.init), v.isFinite else {
                throw .calibration(calib.path, line: GenericDataset.line(of: key, in: text), "'\(key)' must be a finite number")
            }
            return v
        }
        let fx = try number("fx")
        let fy = try number("fy", default: fx)
        let fps = try number("fps", default: 10)
        guard fps > 0 else { throw .calibration(calib.path, line: GenericDataset.line(of: "fps", in: text), "fps must be positive") }
        images = try ImagePairList(leftFolder: folder.appendingPathComponent(node["left"] as? String ?? "left"),
                                   rightFolder: folder.appendingPathComponent(node["right"] as? String ?? "right"))
        let size = try images.imageSize()
        let cam = StereoCamera(fx: fx, fy: fy, cx: try number("cx"), cy: try number("cy"),
                               baseline: try number("baseline"), width: size.width, height: size.height)
        let badLine = GenericDataset.line(of: cam.baseline <= 0 ? "baseline" : "fx", in: text)
        camera = try validated(cam, file: calib.path, line: badLine)
        timestamps = (0..<images.count).map { Double($0) / fps }
        do { groundTruthFormat = try TrajectoryFormat(name: node["ground_truth_format"] as? String ?? "kitti") } catch {
            throw .calibration(calib.path, line: GenericDataset.line(of: "ground_truth_format", in: text), error.description)
        }
        if let gtName = node["ground_truth"] as? String {
            let url = folder.appendingPathComponent(gtName)
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

    /// 1-based line of a top-level key in YAML text, for messages.
    static func line(of key: String, in text: String) -> Int? {
        for (i, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where l.hasPrefix("\(key):") {
            return i + 1
        }
        return nil
    }
}
