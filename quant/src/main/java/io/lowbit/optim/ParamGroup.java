package io.lowbit.optim;

import io.lowbit.Checks;

import java.util.List;

/**
 * Parameters that share a learning rate and weight decay. A null lr or weightDecay means the
 * optimizer's default.
 */
public record ParamGroup(List<Param> params, Double lr, Double weightDecay) {
    public ParamGroup {
        Checks.notNull("params", params);
        for (int i = 0; i < params.size(); i++) Checks.notNull("params[" + i + "]", params.get(i));
        params = List.copyOf(params);
        if (lr != null && !(lr >= 0 && lr < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("lr must be >= 0 and finite, got " + lr);
        if (weightDecay != null && !(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("weightDecay must be >= 0 and finite, got " + weightDecay);
    }

    /** A group with the optimizer's default lr and weight decay. */
    public static ParamGroup of(Param... params) { return new ParamGroup(List.of(params), null, null); }

    public static ParamGroup of(double lr, double weightDecay, Param... params) { return new ParamGroup(List.of(params), lr, weightDecay); }
}
