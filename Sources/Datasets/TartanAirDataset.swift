import Foundation
import Geometry
import Trajectories

/// TartanAir stereo sequences (images are already rectified; poses in NED, converted exactly to
/// the camera convention by `TrajectoryFormat.tartanair`).
///
/// - v1: `image_left/NNNNNN_left.png`, `image_right/NNNNNN_right.png`, `pose_left.txt`;
///   640×480, fx = fy = 320, cx = 320, cy = 240, baseline 0.25 m.
/// - v2: `image_lcam_front/`, `image_rcam_front/`, `pose_lcam_front.txt`; 640×640,
///   fx = fy = cx = cy = 320, baseline 0.25 m.
///
/// TartanAir has no time stamps; frames are taken at `frameRate` (10 Hz by default).
public struct TartanAirDataset: StereoDataset {
    public enum Version: String, Sendable { case v1, v2 }

    public let name: String
    public let version: Version
    public let camera: StereoCamera
    public let timestamps: [Double]
    public let groundTruth: Trajectory?
    public let images: ImagePairList
    public var frameCount: Int { images.count }
    public var groundTruthFormat: TrajectoryFormat { .tartanair }
    public var cameraToGroundTruthSensor: SE3 { .identity }

    /// Opens a TartanAir trajectory folder; the version is detected from the folder names.
    public init(root: URL, frameRate: Double = 10) throws(DatasetError) {
        try requireFolder(root)
        let fm = FileManager.default
        let v: Version = fm.fileExists(atPath: root.appendingPathComponent("image_lcam_front").path) ? .v2 : .v1
        let (l, r, poseName) = v == .v1
            ? ("image_left", "image_right", "pose_left.txt")
            : ("image_lcam_front", "image_rcam_front", "pose_lcam_front.txt")
        images = try ImagePairList(leftFolder: root.appendingPathComponent(l), rightFolder: root.appendingPathComponent(r))
        let size = try images.imageSize()
        let intrinsics: StereoCamera = v == .v1
            ? StereoCamera(fx: 320, fy: 320, cx: 320, cy: 240, baseline: 0.25, width: 640, height: 480)
            : StereoCamera(fx: 320, fy: 320, cx: 320, cy: 320, baseline: 0.25, width: 640, height: 640)
        guard size.width == intrinsics.width, size.height == intrinsics.height else {
            throw .calibration(images.left[0].path, line: nil,
                               "TartanAir \(v.rawValue) images are \(intrinsics.width)×\(intrinsics.height), this one is \(size.width)×\(size.height)")
        }
        camera = intrinsics
        version = v
        timestamps = (0..<images.count).map { Double($0) / frameRate }
        let poseURL = root.appendingPathComponent(poseName)
        if fm.fileExists(atPath: poseURL.path) {
            let gt = try readTrajectory(poseURL, .tartanair)
            guard gt.count == images.count else { throw .poseCountMismatch(poseURL.path, poses: gt.count, frames: images.count) }
            groundTruth = Trajectory(poses: gt.poses, timestamps: timestamps)
        } else {
            groundTruth = nil
        }
        name = "TartanAir \(v.rawValue) \(root.lastPathComponent)"
    }

    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame {
        let (l, r) = try images.load(index, expected: (camera.width, camera.height))
        return StereoFrame(index: index, timestamp: timestamps[index], left: l, right: r)
    }
}
