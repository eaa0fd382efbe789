import { z } from 'zod';

/**
 * A worker's limit on invalid messages: above this share of the last 1000 (judged from 100 on) its
 * consumer stops loudly (exit 1) instead of dead-lettering them, so a bad deploy upstream pages someone
 * rather than emptying a topic into the DLQ. 1 never stops: what an operator sets to let a burst they
 * have looked at go to the DLQ, then sets back (README "Dead letters").
 */
export const maxInvalidRatio = () => z.coerce.number().gt(0).lte(1).default(0.5);
