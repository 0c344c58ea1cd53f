import type { DisparityMethod } from '@kdlens/metrics';
import { registerEnumType } from 'type-graphql';

// Values mirror @kdlens/metrics (and fairlearn) exactly, so an argument passes straight through.
export const DisparityMethodEnum: { [K in DisparityMethod]: K } = {
  between_groups: 'between_groups',
  to_overall: 'to_overall',
};
registerEnumType(DisparityMethodEnum, {
  name: 'DisparityMethod',
  description:
    "fairlearn's method: between_groups = max − min over groups (ratio min/max), to_overall = the largest gap between a group and the overall rate (ratio folded into [0, 1]).",
});
