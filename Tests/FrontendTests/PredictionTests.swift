import Datasets
import Foundation
import Frontend
import Geometry
import Testing

/// Precise predictions let the tracker start at a finer pyramid level only when a sample of them,
/// tracked first with the whole pyramid, lands within reach: a prediction that is right must track
/// as well as none, and one that is tens of pixels off (a turn that begins) must not lose tracks.
@Suite struct PredictionTests {
    let w = 320, h = 200
    var camera: StereoCamera { StereoCamera(fx: 300, fy: 300, cx: 160, cy: 100, baseline: 0.3, width: w, height: h) }
    let texture = Texture(width: 460, height: 340, seed: 11)
    let d = 6.0

    /// Tracks from a frame to the next one shifted by (fx, fy), predicting every feature at its
    /// true position plus `offset`; returns the features that stay in view and the tracked ones
    /// with their median flow error.
    func track(offset: SIMD2<Double>, precise: Bool = true) throws -> (inView: Int, tracked: Int, medianError: Double) {
        let fe = try Frontend(camera: camera)
        let first = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: d, dy: 0)).features
        let (fx, fy) = (11.0, -6.0)
        let predictions = first.map { TrackPrediction(id: $0.id, uv: $0.uv - SIMD2(fx, fy) + offset, isPrecise: precise) }
        let second = try fe.process(left: texture.image(w, h, dx: fx, dy: fy), right: texture.image(w, h, dx: fx + d, dy: fy),
                                    predictions: predictions).features
        let inView = first.filter { f in
            let u = f.uv.x - fx, v = f.uv.y - fy
            return u >= 12 && v >= 12 && u <= Double(w - 13) && v <= Double(h - 13)
        }.count
        let tracked = second.filter(\.isTracked)
        let errors = tracked.compactMap { f -> Double? in
            guard let p = f.previousUV else { return nil }
            let e = (f.uv - p) - SIMD2(-fx, -fy)
            return (e * e).sum().squareRoot()
        }.sorted()
        return (inView, tracked.count, errors.isEmpty ? .infinity : errors[errors.count / 2])
    }

    @Test func rightPredictionsTrackEveryVisibleFeature() throws {
        let r = try track(offset: .zero)
        #expect(r.inView > 150)
        #expect(Double(r.tracked) >= 0.9 * Double(r.inView), "\(r.tracked) tracked of \(r.inView)")
        #expect(r.medianError < 0.05, "median flow error \(r.medianError)")
    }

    @Test func predictionsFortyPixelsOffStillTrack() throws {
        // Every prediction 40 px off: the pilots see it and the whole pyramid is used for all, as
        // for rough predictions (those whose guess falls outside the image are lost either way).
        let r = try track(offset: SIMD2(40, 0))
        let rough = try track(offset: SIMD2(40, 0), precise: false)
        #expect(r.tracked == rough.tracked, "precise \(r.tracked), rough \(rough.tracked) of \(r.inView)")
        #expect(Double(r.tracked) >= 0.75 * Double(r.inView), "\(r.tracked) tracked of \(r.inView)")
        #expect(r.medianError < 0.05, "median flow error \(r.medianError)")
    }
}
