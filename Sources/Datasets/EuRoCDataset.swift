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
    public let warnings: [String]

    /// Opens a sequence; `root` is the folder holding `mav0` or `mav0` itself.
    public init(root: URL, groundTruthFile: URL? = nil) throws(DatasetError) {
        let mav0 = root.lastPathComponent == "mav0" ? root : root.appendingPathComponent("mav0")
        try requireFolder(mav0)
        let cam0 = mav0.appendingPathComponent("cam0"), cam1 = mav0.appendingPathComponent("cam1")
        let (stamps0, files0, lines0) = try EuRoCDataset.readImageList(cam0)
        let (stamps1, files1, lines1) = try EuRoCDataset.readImageList(cam1)
        // Pair the two cameras by time stamp; frames listed for one camera only are left out
        // (and counted in `unpairedFrames`) rather than paired with the wrong partner.
        let index1 = Dictionary(stamps1.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var left: [URL] = [], right: [URL] = [], stamps: [Int64] = []
        for (i, t) in stamps0.enumerated() {
            guard let j = index1[t] else { continue }
            // A listed image that is absent is an error of its data.csv row (found now, not at frame k).
            for (file, cam, line) in [(files0[i], cam0, lines0[i]), (files1[j], cam1, lines1[j])]
            where !FileManager.default.fileExists(atPath: file.path) {
                throw .malformed(cam.appendingPathComponent("data.csv").path, line: line, "image \(file.path) not found")
            }
            left.append(files0[i]); right.append(files1[j]); stamps.append(t)
        }
        let csv0 = cam0.appendingPathComponent("data.csv").path, csv1 = cam1.appendingPathComponent("data.csv").path
        guard !stamps.isEmpty else {
            throw .malformed(csv1, line: 1, "no time stamp of \(csv1) (\(stamps1.count) images, first at \(stamps1[0]) ns) "
                             + "equals one of \(csv0) (\(stamps0.count) images, first at \(stamps0[0]) ns): the cameras cannot be paired")
        }
        unpairedFrames = stamps0.count + stamps1.count - 2 * stamps.count
        if unpairedFrames > 0 {
            let only0 = stamps0.first { index1[$0] == nil }
            let set0 = Set(stamps0)
            let example = only0.map { "cam0 at \($0) ns" } ?? stamps1.first { !set0.contains($0) }.map { "cam1 at \($0) ns" } ?? ""
            warnings = ["\(unpairedFrames) images listed by only one camera's data.csv were left out (e.g. \(example))"]
        } else {
            warnings = []
        }
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

    /// Reads `camN/data.csv` (`#timestamp [ns],filename`): time stamps, image files and the
    /// 1-based line of each row.
    static func readImageList(_ camFolder: URL) throws(DatasetError) -> ([Int64], [URL], [Int]) {
        try requireFolder(camFolder)
        let csv = camFolder.appendingPathComponent("data.csv")
        var stamps: [Int64] = [], files: [URL] = [], lines: [Int] = []
        for (i, raw) in try textLines(csv).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let ns = Int64(parts[0]) else {
                throw .malformed(csv.path, line: i + 1, "expected 'timestamp_ns,filename'")
            }
            if let last = stamps.last, ns <= last {
                throw .malformed(csv.path, line: i + 1, "time stamp \(ns) is not after the previous row's \(last) (rows must be in time order)")
            }
            stamps.append(ns)
            files.append(camFolder.appendingPathComponent("data").appendingPathComponent(parts[1]))
            lines.append(i + 1)
        }
        guard !stamps.isEmpty else { throw .noFrames(csv.path) }
        return (stamps, files, lines)
    }
}

/// One EuRoC `sensor.yaml` (camera): intrinsics, distortion, resolution, `T_BS`.
struct EuRoCSensor {
    var camera: DistortedCamera
    var width: Int, height: Int
    /// T_BS: maps sensor (camera) coordinates into the body frame.
    var bodyFromSensor: SE3

    init(yaml url: URL) throws(DatasetError) {
        let file = try YAMLFile(path: url.path)
        func fail(_ key: String, _ why: String) -> DatasetError { .calibration(url.path, line: file[key]?.line, why) }
        func numbers(_ node: Node?, _ key: String, count: Int? = nil) throws(DatasetError) -> [Double] {
            guard let items = node?.sequence else { throw fail(key, "missing list '\(key)'") }
            let v = items.compactMap { YAMLFile.scalar($0)?.real }
            guard v.count == items.count, count == nil || v.count == count else {
                throw fail(key, "'\(key)' must hold \(count.map { "\($0) " } ?? "")finite numbers (it holds \(items.count) items)")
            }
            return v
        }
        let k = try numbers(file["intrinsics"]?.node, "intrinsics", count: 4)
        guard k[0] > 0, k[1] > 0 else { throw fail("intrinsics", "focal length must be positive (fu = \(k[0]), fv = \(k[1]))") }
        var model = "radial-tangential"
        if let entry = file["distortion_model"] {
            guard case let .text(m)? = YAMLFile.scalar(entry.node) else { throw fail("distortion_model", "must be text") }
            model = m
        }
        guard model == "radial-tangential" || model == "radtan" else {
            throw fail("distortion_model", "distortion model '\(YAMLFile.printable(model))' is not supported (radial-tangential only)")
        }
        let d = try numbers(file["distortion_coefficients"]?.node, "distortion_coefficients")
        guard d.count == 4 || d.count == 5 else { throw fail("distortion_coefficients", "expected 4 or 5 distortion coefficients, found \(d.count)") }
        let res = try numbers(file["resolution"]?.node, "resolution", count: 2)
        guard res.allSatisfy({ $0 >= 1 && $0 <= 100_000 && $0 == $0.rounded() }) else {
            throw fail("resolution", "resolution must be two whole numbers of pixels, 1 to 100000")
        }
        let m = try numbers(file["T_BS"]?.node.mapping?["data"], "T_BS", count: 16)
        let rm = Mat3(rows: Vec3(m[0], m[1], m[2]), Vec3(m[4], m[5], m[6]), Vec3(m[8], m[9], m[10]))
        guard let r = SO3(matrix: rm, tolerance: 1e-4) else { throw fail("T_BS", "T_BS rotation is not orthonormal") }
        camera = DistortedCamera(fx: k[0], fy: k[1], cx: k[2], cy: k[3], distortion: d)
        width = Int(res[0]); height = Int(res[1])
        bodyFromSensor = SE3(rotation: r.orthonormalized, translation: Vec3(m[3], m[7], m[11]))
    }
}
