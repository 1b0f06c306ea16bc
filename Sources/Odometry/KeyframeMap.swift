import Frontend
import Geometry

/// The tracker's covariance of each track, summed frame by frame since a keyframe: the
/// uncertainty of where a keyframe point is observed now.
struct TrackCovariances {
    private(set) var sums: [Int64: (uu: Double, uv: Double, vv: Double)] = [:]

    /// Adds a tracked feature's covariance to its track's sum and returns the new sum.
    @discardableResult
    mutating func add(_ f: Feature) -> (uu: Double, uv: Double, vv: Double) {
        let a = sums[f.id] ?? (0, 0, 0)
        let s = (uu: a.uu + f.covariance.uu, uv: a.uv + f.covariance.uv, vv: a.vv + f.covariance.vv)
        sums[f.id] = s
        return s
    }

    subscript(_ id: Int64) -> (uu: Double, uv: Double, vv: Double)? { sums[id] }
}

/// The current keyframe: its pose and covariance, every stereo point it made (place recognition
/// and loop verification use them all), the points the selector kept for tracking, and each
/// tracked point's accumulated tracker covariance.
struct KeyframeMap {
    private(set) var pose = SE3.identity
    private(set) var covariance = Mat6()
    private(set) var stereoPoints: [StereoPoint] = []
    /// The tracked points by track id (keyframe camera frame).
    private(set) var points: [Int64: StereoPoint] = [:]
    private(set) var pointCount = 0
    /// The disparity offset the keyframe's stereo points were measured with, px.
    private(set) var measurementOffset = 0.0
    /// The disparity offset the tracked points are at now (a frame's solve brings them to its own).
    private(set) var pointOffset = 0.0
    private var tracks = TrackCovariances()

    /// A frame with these stereo points, measured with disparity offset `offset`, becomes the
    /// keyframe: `selected` of them are tracked.
    mutating func reset(stereoPoints: [StereoPoint], selected: [StereoPoint], pose: SE3, covariance: Mat6, offset: Double) {
        self.stereoPoints = stereoPoints
        points = Dictionary(selected.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        tracks = TrackCovariances()
        pointCount = selected.count
        self.pose = pose
        self.covariance = covariance
        measurementOffset = offset
        pointOffset = offset
    }

    /// The keyframe takes a refined pose (the window's optimum).
    mutating func move(to pose: SE3) { self.pose = pose }

    /// Matches between the points still tracked and their current observations, each observation's
    /// covariance the tracker's accumulated since the keyframe (this frame's included).
    mutating func matches(_ features: [Feature], camera: StereoCamera, minDisparity: Double) -> [PoseMatch] {
        var matches: [PoseMatch] = []
        matches.reserveCapacity(points.count)
        for f in features where f.isTracked {
            guard let p = points[f.id] else { continue }
            matches.append(PoseMatch(p, observedAs: f, uvCovariance: tracks.add(f), camera: camera, minDisparity: minDisparity))
        }
        return matches
    }

    /// Brings the tracked points to disparity offset `offset` (the online estimate moved since the
    /// keyframe): a frame's pose solve must compare points and observations measured with one
    /// offset, or the change reads as motion along the points' rays. A point whose disparity falls
    /// below `minDisparity` is no longer tracked.
    mutating func shiftDisparities(to offset: Double, camera: StereoCamera, minDisparity: Double) {
        let shift = offset - pointOffset
        guard shift != 0 else { return }
        for (id, p) in points { points[id] = p.shifted(by: shift, camera: camera, minDisparity: minDisparity) }
        pointOffset = offset
    }

    /// The tracked points at the offset the keyframe's stereo points were measured with (how a
    /// window keyframe keeps them, beside those stereo points).
    func pointsAsMeasured(camera: StereoCamera, minDisparity: Double) -> [Int64: StereoPoint] {
        let shift = measurementOffset - pointOffset
        return shift == 0 ? points : points.compactMapValues { $0.shifted(by: shift, camera: camera, minDisparity: minDisparity) }
    }

    /// Every stereo point of the keyframe, by track id.
    var observations: [Int64: StereoPoint] {
        Dictionary(stereoPoints.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Tracked points take refined world positions (expressed in the keyframe's frame at `pose`).
    mutating func refine(_ world: [Int64: Vec3], keyframePose: SE3) {
        let toCamera = keyframePose.inverse
        for (id, position) in world where points[id] != nil { points[id]?.position = toCamera * position }
    }
}
