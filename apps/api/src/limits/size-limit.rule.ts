import type { ASTVisitor, ValidationContext, ValidationRule } from 'graphql';
import { ApiError } from '../errors/api-error.ts';
import type { ApiLimits } from './api-limits.ts';
import { operationSize } from './operation-size.ts';
import { rootFieldCost, rootFieldStatements, type StatementTable } from './root-field-cost.ts';

/**
 * Rejects an operation with more than maxRootFields root fields, deeper than maxDepth or costlier
 * than maxCost before it runs, with code QUERY_TOO_COMPLEX. Cost is the fields resolved plus the
 * SQL each root field runs (root-field-cost.ts), so aliasing a cheap-looking field 1,800 times
 * costs 1,800 times its statements. One rule computes all so each operation is walked once.
 * Validation results are cached per document by Apollo, so the walk happens once per distinct
 * query text.
 */
export function sizeLimitRule(
  limits: Pick<ApiLimits, 'maxDepth' | 'maxCost' | 'maxRootFields'>,
  statements: StatementTable = rootFieldStatements,
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation);
      if (!root) return;
      const sql = rootFieldCost(context, operation.selectionSet, root, statements);
      if (sql.rootFields > limits.maxRootFields) {
        context.reportError(
          new ApiError(
            'QUERY_TOO_COMPLEX',
            `the operation asks for ${sql.rootFields} root fields (aliases count each); the limit is ${limits.maxRootFields} (KDLENS_API_MAX_ROOT_FIELDS): send fewer aliases, or several requests`,
            { rootFields: sql.rootFields, maxRootFields: limits.maxRootFields },
          ),
        );
        return;
      }
      const { depth, cost: fieldCost } = operationSize(context, operation.selectionSet, root);
      const cost = fieldCost + sql.cost;
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
            `the query would cost about ${cost} (fields resolved, plus ${sql.cost} for its SQL); the limit is ${limits.maxCost} (KDLENS_API_MAX_COST): ask for smaller pages, fewer nested lists or fewer root fields`,
            { cost, maxCost: limits.maxCost },
          ),
        );
      }
    },
  });
}
