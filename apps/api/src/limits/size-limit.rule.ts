import type { ASTVisitor, ValidationContext, ValidationRule } from 'graphql';
import { ApiError } from '../errors/api-error.ts';
import type { ApiLimits } from './api-limits.ts';
import { operationSize } from './operation-size.ts';

/**
 * Rejects an operation deeper than maxDepth or costlier than maxCost before it runs, with code
 * QUERY_TOO_COMPLEX. One rule computes both so each operation is walked once. Validation results
 * are cached per document by Apollo, so the walk happens once per distinct query text.
 */
export function sizeLimitRule(limits: Pick<ApiLimits, 'maxDepth' | 'maxCost'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation);
      if (!root) return;
      const { depth, cost } = operationSize(context, operation.selectionSet, root);
      if (depth > limits.maxDepth) {
        context.reportError(
          new ApiError(
            'QUERY_TOO_COMPLEX',
            `the query nests ${depth} levels deep; the limit is ${limits.maxDepth} (KDLENS_API_MAX_DEPTH)`,
            { depth, maxDepth: limits.maxDepth },
          ),
        );
      } else if (cost > limits.maxCost) {
        context.reportError(
          new ApiError(
            'QUERY_TOO_COMPLEX',
            `the query would resolve about ${cost} fields; the limit is ${limits.maxCost} (KDLENS_API_MAX_COST): ask for smaller pages or fewer nested lists`,
            { cost, maxCost: limits.maxCost },
          ),
        );
      }
    },
  });
}
