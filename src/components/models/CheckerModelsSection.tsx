export function CheckerModelsSection() {
  return null;
}
