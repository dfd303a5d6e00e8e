// The benchmark's goal ratios (scripts/bench/paired.ts): paired round by round, so a round where
// the whole machine was slow does not pair its plan with another round's reference.
import { strict as assert } from "assert";
import { median, pairedRatios } from "../scripts/bench/paired";

describe("bench: a goal's ratio paired round by round (scripts/bench/paired.ts)", () => {
    it("takes the median of each round's plan over that round's reference, with the spread", () => {
        // The machine slowed down in the last round: plan and reference both doubled.
        const plans = [1.5, 1.6, 3.0];
        const refs = [1.0, 1.0, 2.0];
        const r = pairedRatios(plans, refs);
        assert.deepEqual(r, { median: 1.5, min: 1.5, max: 1.6 });
        // The ratio of the medians pairs round 2's plan with round 1's reference: 1.6x.
        assert.equal(median(plans) / median(refs), 1.6);
    });

    it("leaves out a round whose reference failed (zero) rather than dividing by it", () => {
        assert.deepEqual(pairedRatios([2, 3], [0, 2]), { median: 1.5, min: 1.5, max: 1.5 });
    });

    it("a median of an even count is the mean of the middle two", () => {
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.equal(median([7]), 7);
    });
});
