// The warm pool's bookkeeping (engine/warmPool.ts Spares), without processes: which ready value a
// plan takes, how many refill starts, what a given-back value displaces, and what is stopped.
import { strict as assert } from "assert";
import { Spares } from "../engine/warmPool";

/** Spares of numbered values, recording what was started and what was stopped. */
function counted() {
    const spares = new Spares<number>();
    const started: number[] = [];
    const stopped: number[] = [];
    let next = 0;
    const want = (key: string) =>
        spares.want(
            key,
            () => {
                started.push(++next);
                return next;
            },
            (v) => stopped.push(v),
        );
    return { spares, started, stopped, want };
}

const any = () => true;

describe("warm pool: ready processes per key (engine/warmPool.ts)", () => {
    it("keeps one ready per key: refill starts one for what a plan wanted, and a plan takes it", () => {
        const { spares, started, want } = counted();
        want("dev");
        assert.equal(spares.take("dev", any), undefined, "nothing is ready before a refill");
        spares.refill();
        spares.refill();
        assert.deepEqual(started, [1], "a second refill starts nothing while one is ready");
        assert.equal(spares.take("dev", any), 1);
        assert.equal(spares.take("dev", any), undefined);
    });

    it("stops a ready value the plan cannot use: the plan starts its own", () => {
        const { spares, stopped, want } = counted();
        want("dev");
        spares.refill();
        assert.equal(
            spares.take("dev", (v) => v !== 1),
            undefined,
        );
        assert.deepEqual(stopped, [1]);
        assert.deepEqual(spares.values(), []);
    });

    it("a value given back is the next one taken; a spare started since is stopped", () => {
        const { spares, stopped, want } = counted();
        want("prod");
        spares.refill();
        spares.give("prod", 40, (v) => stopped.push(v));
        assert.deepEqual(stopped, [1]);
        assert.equal(spares.take("prod", any), 40);
    });

    it("keeps at most four keys, stopping the value of the least recently wanted", () => {
        const { spares, stopped, want } = counted();
        for (const key of ["a", "b", "c", "d"]) {
            want(key);
            spares.refill();
        }
        want("a");
        want("e");
        spares.refill();
        assert.deepEqual(stopped, [2], "b goes: a was wanted again");
        assert.deepEqual(spares.values(), [3, 4, 1, 5]);
    });

    it("drop stops everything ready and forgets what plans wanted", () => {
        const { spares, started, stopped, want } = counted();
        want("dev");
        spares.refill();
        spares.drop();
        spares.refill();
        assert.deepEqual(stopped, [1]);
        assert.deepEqual(started, [1]);
    });
});
