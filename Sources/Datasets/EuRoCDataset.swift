import Foundation
import Geometry
import Trajectories
import Yams

/// EuRoC MAV: `mav0/cam0`, `mav0/cam1` (each `data.csv` + `data/` + `sensor.yaml` with
/// intrinsics, radial-tangential distortion and `T_BS`), ground truth from
/// `mav0/state_groundtruth_estimate0/data.csv` (EuRoC csv) or a TUM file beside `mav0`
/// (`groundtruth_body_tum.txt`, or any `*.txt` given explicitly). Images are rectified in-engine.
///
/// Ground truth is the body (IMU) frame; `cameraToGroundTruthSensor` is body ← rectified cam0.
public struct EuRoCDataset: StereoDataset {
    public let name: String
    public let camera: StereoCamera
    public let timestamps: [Double]
    public let groundTruth: Trajectory?
    public var groundTruthFormat: TrajectoryFormat { .euroc }
    public let cameraToGroundTruthSensor: SE3
    public let images: ImagePairList
    public let rectifier: StereoRectifier
    public var frameCount: Int { images.count }
    /// Frames listed by only one of the two cameras' `data.csv` (left out of the sequence).
    public let unpairedFrames: Int

    /// Opens a sequence; `root` is the folder holding `mav0` or `mav0` itself.
    public init(root: URL, groundTruthFile: URL? = nil) throws(DatasetError) {
        let mav0 = root.lastPathComponent == "mav0" ? root : root.appendingPathComponent("mav0")
        try requireFolder(mav0)
        let cam0 = mav0.appendingPathComponent("cam0"), cam1 = mav0.appendingPathComponent("cam1")
        let (stamps0, files0) = try EuRoCDataset.readImageList(cam0)
        let (stamps1, files1) = try EuRoCDataset.readImageList(cam1)
        // Pair the two cameras by time stamp; frames listed for one camera only are left out
        // (and counted in `unpairedFrames`) rather than paired with the wrong partner.
        let index1 = Dictionary(stamps1.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var left: [URL] = [], right: [URL] = [], stamps: [Int64] = []
        for (i, t) in stamps0.enumerated() {
            guard let j = index1[t] else { continue }
            left.append(files0[i]); right.append(files1[j]); stamps.append(t)
        }
        guard !stamps.isEmpty else {
            throw .frameCountMismatch(left: cam0.appendingPathComponent("data.csv").path, right: cam1.appendingPathComponent("data.csv").path,
                                      leftCount: stamps0.count, rightCount: 0)
        }
        unpairedFrames = stamps0.count + stamps1.count - 2 * stamps.count
        images = ImagePairList(left: left, right: right)
        timestamps = stamps.map { Double($0) * 1e-9 }

        let s0 = try EuRoCSensor(yaml: cam0.appendingPathComponent("sensor.yaml"))
        let s1 = try EuRoCSensor(yaml: cam1.appendingPathComponent("sensor.yaml"))
        let size = try images.imageSize()
        guard size.width == s0.width, size.height == s0.height else {
            throw .calibration(cam0.appendingPathComponent("sensor.yaml").path, line: nil,
                               "resolution \(s0.width)×\(s0.height) but images are \(size.width)×\(size.height)")
        }
        // p_cam1 = T_BS1⁻¹ T_BS0 p_cam0
        let rightFromLeft = s1.bodyFromSensor.inverse * s0.bodyFromSensor
        rectifier = try StereoRectifier(left: s0.camera, right: s1.camera, rightFromLeft: rightFromLeft,
                                        width: size.width, height: size.height, source: cam0.appendingPathComponent("sensor.yaml").path)
        camera = try validated(rectifier.camera, file: cam0.appendingPathComponent("sensor.yaml").path)
        // body ← cam0 ← rectified cam0  (p_orig = Rᵀ p_rect)
        cameraToGroundTruthSensor = s0.bodyFromSensor * SE3(rotation: rectifier.leftRotation.inverse)

        let fm = FileManager.default
        let csv = mav0.appendingPathComponent("state_groundtruth_estimate0/data.csv")
        let tum = root.appendingPathComponent("groundtruth_body_tum.txt")
        if let groundTruthFile {
            groundTruth = try readTrajectory(groundTruthFile, groundTruthFile.pathExtension == "csv" ? .euroc : .tum)
        } else if fm.fileExists(atPath: csv.path) {
            groundTruth = try readTrajectory(csv, .euroc)
        } else if fm.fileExists(atPath: tum.path) {
            groundTruth = try readTrajectory(tum, .tum)
        } else {
            groundTruth = nil
        }
        name = "EuRoC \(root.lastPathComponent == "mav0" ? root.deletingLastPathComponent().lastPathComponent : root.lastPathComponent)"
    }

    public func frame(_ index: Int) throws(DatasetError) -> StereoFrame {
        let (l, r) = try images.load(index, expected: (camera.width, camera.height))
        return StereoFrame(index: index, timestamp: timestamps[index],
                           left: try rectifier.rectify(l, side: 0, path: images.left[index].path),
                           right: try rectifier.rectify(r, side: 1, path: images.right[index].path))
    }

    /// Reads `camN/data.csv` (`#timestamp [ns],filename`).
    static func readImageList(_ camFolder: URL) throws(DatasetError) -> ([Int64], [URL]) {
        try requireFolder(camFolder)
        let csv = camFolder.appendingPathComponent("data.csv")
        guard let text = try? String(contentsOf: csv, encoding: .utf8) else { throw .missingFile(csv.path) }
        var stamps: [Int64] = [], files: [URL] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let ns = Int64(parts[0]) else {
                throw .malformed(csv.path, line: i + 1, "expected 'timestamp_ns,filename'")
            }
            stamps.append(ns)
            files.append(camFolder.appendingPathComponent("data").appendingPathComponent(parts[1]))
        }
        guard !stamps.isEmpty else { throw .noFrames(csv.path) }
        return (stamps, files)
    }
}

/// One EuRoC `sensor.yaml` (camera): intrinsics, distortion, resolution, `T_BS`.
struct EuRoCSensor {
    var camera: DistortedCamera
    var width: Int, height: Int
    /// T_BS: maps sensor (camera) coordinates into the body frame.
    var bodyFromSensor: SE3

    init(yaml url: URL) throws(DatasetError) {
        guard var text = try? String(contentsOf: url, encoding: .utf8) else { throw .missingFile(url.path) }
        // OpenCV-style "%YAML:1.0" directives are not YAML 1.1; drop directive lines.
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("%") ? "" : String($0) }.joined(separator: "\n")
        let node: [String: Any]
        do {
            guard let n = try Yams.load(yaml: text) as? [String: Any] else {
                throw DatasetError.calibration(url.path, line: nil, "not a YAML mapping")
            }
            node = n
        } catch let e as DatasetError { throw e } catch {
            throw .calibration(url.path, line: nil, "YAML: \(error)")
        }
        func numbers(_ key: String, count: Int? = nil) throws(DatasetError) -> [Double] {
            guard let arr = node[key] as? [Any] else { throw .calibration(url.path, line: nil, "missing list '\(key)'") }
            let v = arr.compactMap { ($0 as? Double) ?? ($0 as? Int).map(Double.init) }
            guard v.count == arr.count, count == nil || v.count == count!, v.allSatisfy(\.isFinite) else {
                throw .calibration(url.path, line: nil, "'\(key)' must hold \(count.map(String.init) ?? "") finite numbers")
            }
            return v
        }
        let k = try numbers("intrinsics", count: 4)
        guard k[0] > 0, k[1] > 0 else { throw .calibration(url.path, line: nil, "focal length must be positive (fu = \(k[0]), fv = \(k[1]))") }
        let model = node["distortion_model"] as? String ?? "radial-tangential"
        guard model == "radial-tangential" || model == "radtan" else {
            throw .calibration(url.path, line: nil, "distortion model '\(model)' is not supported (radial-tangential only)")
        }
        let d = try numbers("distortion_coefficients")
        guard d.count == 4 || d.count == 5 else { throw .calibration(url.path, line: nil, "expected 4 or 5 distortion coefficients") }
        let res = try numbers("resolution", count: 2)
        guard let tbs = node["T_BS"] as? [String: Any], let data = tbs["data"] as? [Any] else {
            throw .calibration(url.path, line: nil, "missing T_BS.data")
        }
        let m = data.compactMap { ($0 as? Double) ?? ($0 as? Int).map(Double.init) }
        guard m.count == 16 else { throw .calibration(url.path, line: nil, "T_BS.data must hold 16 numbers") }
        let rm = Mat3(rows: Vec3(m[0], m[1], m[2]), Vec3(m[4], m[5], m[6]), Vec3(m[8], m[9], m[10]))
        guard let r = SO3(matrix: rm, tolerance: 1e-4) else { throw .calibration(url.path, line: nil, "T_BS rotation is not orthonormal") }
        camera = DistortedCamera(fx: k[0], fy: k[1], cx: k[2], cy: k[3], distortion: d)
        width = Int(res[0]); height = Int(res[1])
        bodyFromSensor = SE3(rotation: r.orthonormalized, translation: Vec3(m[3], m[7], m[11]))
    }
}
