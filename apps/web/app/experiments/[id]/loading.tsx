import { LoadingNote } from '@/components/loading-note.tsx';

export default function Loading() {
  return <LoadingNote what="results" />;
}
