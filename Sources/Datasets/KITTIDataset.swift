import Foundation
import Geometry
import Trajectories

/// KITTI odometry: `ROOT/sequences/XX/{image_0,image_1}` (grey) or `{image_2,image_3}` (colour,
/// converted to grey), `calib.txt` (rows `P0:` … `P3:`), `times.txt` when present (else 10 Hz),
/// and ground truth `ROOT/poses/XX.txt` when present (camera-0 poses, KITTI format).
public struct KITTIDataset: StereoDataset {
    public let name: String
    public let camera: StereoCamera
    public let timestamps: [Double]
    public let groundTruth: Trajectory?
    public let images: ImagePairList
    public var frameCount: Int { images.count }
    public var groundTruthFormat: TrajectoryFormat { .kitti }
    /// KITTI ground truth is the left (camera 0) pose: identity. For the colour pair, camera 2's
    /// optical centre is offset from camera 0 by −P2[0,3]/fx along x.
    public let cameraToGroundTruthSensor: SE3

    /// Which camera pair to use.
    public enum Pair: String, Sendable { case grey, colour }

    /// Opens a sequence. `root` is the folder holding `sequences/` (and `poses/`); a sequence
    /// folder itself (holding `calib.txt`) is accepted too.
    public init(root: URL, sequence: String, pair: Pair? = nil) throws(DatasetError) {
        let seqFolder: URL
        let posesFile: URL
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("calib.txt").path) {
            seqFolder = root
            posesFile = root.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("poses/\(sequence).txt")
        } else {
            seqFolder = root.appendingPathComponent("sequences/\(sequence)")
            posesFile = root.appendingPathComponent("poses/\(sequence).txt")
        }
        try requireFolder(seqFolder)
        let fm = FileManager.default
        let usePair = pair ?? (fm.fileExists(atPath: seqFolder.appendingPathComponent("image_0").path) ? .grey : .colour)
        let (l, r) = usePair == .grey ? ("image_0", "image_1") : ("image_2", "image_3")
        images = try ImagePairList(leftFolder: seqFolder.appendingPathComponent(l), rightFolder: seqFolder.appendingPathComponent(r))
        let size = try images.imageSize()

        let calibURL = seqFolder.appendingPathComponent("calib.txt")
        let calib = try KITTIDataset.readCalibration(calibURL)
        let (leftKey, rightKey) = usePair == .grey ? ("P0", "P1") : ("P2", "P3")
        guard let pl = calib[leftKey] else { throw .calibration(calibURL.path, line: nil, "missing row '\(leftKey):'") }
        guard let pr = calib[rightKey] else { throw .calibration(calibURL.path, line: nil, "missing row '\(rightKey):'") }
        for (key, row) in [(leftKey, pl), (rightKey, pr)] where !(row.values[0] > 0 && row.values[5] > 0) {
            throw .calibration(calibURL.path, line: row.line, "\(key): focal length must be positive (fx = \(row.values[0]), fy = \(row.values[5]))")
        }
        let fx = pl.values[0]
        // P_k = K [I | t_k]: P[0,3] = fx · t_k,x. The baseline is the x offset between the two.
        let baseline = (pl.values[3] - pr.values[3]) / pr.values[0]
        camera = try validated(StereoCamera(fx: fx, fy: pl.values[5], cx: pl.values[2], cy: pl.values[6],
                                            baseline: baseline, width: size.width, height: size.height),
                               file: calibURL.path, line: pr.line)
        cameraToGroundTruthSensor = SE3(translation: Vec3(-pl.values[3] / fx, 0, 0))

        let timesURL = seqFolder.appendingPathComponent("times.txt")
        if fm.fileExists(atPath: timesURL.path) {
            let t: [Double]
            do { t = try TrajectoryFormat.readTimes(timesURL) } catch { throw .trajectory(error) }
            guard t.count == images.count else { throw .timeCountMismatch(timesURL.path, times: t.count, frames: images.count) }
            timestamps = t
        } else {
            timestamps = (0..<images.count).map { Double($0) * 0.1 }
        }
        if fm.fileExists(atPath: posesFile.path) {
            let gt = try readTrajectory(posesFile, .kitti)
            guard gt.count == images.count else { throw .poseCountMismatch(posesFile.path, poses: gt.count, frames: images.count) }
            groundTruth = Trajectory(poses: gt.poses, timestamps: timestamps)
        } else {
            groundTruth = nil
        }
        name = "KITTI \(sequence)"
    }

    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame {
        let (l, r) = try images.load(index, expected: (camera.width, camera.height))
        return StereoFrame(index: index, timestamp: timestamps[index], left: l, right: r)
    }

    /// One labelled projection row of calib.txt.
    public struct ProjectionRow: Sendable { public var line: Int; public var values: [Double] }

    /// Reads the labelled 3×4 rows (`P0:` …) of a KITTI calib.txt; other rows (`Tr:`) are kept too.
    public static func readCalibration(_ url: URL) throws(DatasetError) -> [String: ProjectionRow] {
        var rows: [String: ProjectionRow] = [:]
        for (i, raw) in try textLines(url).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .calibration(url.path, line: i + 1, "expected 'LABEL: 12 numbers'")
            }
            let label = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let fields = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            var values: [Double] = []
            for f in fields {
                guard let v = Double(f) else { throw .calibration(url.path, line: i + 1, "'\(f)' is not a number") }
                guard v.isFinite else { throw .calibration(url.path, line: i + 1, "NaN or infinite value") }
                values.append(v)
            }
            guard values.count == 12 else {
                throw .calibration(url.path, line: i + 1, "row '\(label)' has \(values.count) numbers, expected 12")
            }
            rows[label] = ProjectionRow(line: i + 1, values: values)
        }
        return rows
    }
}
