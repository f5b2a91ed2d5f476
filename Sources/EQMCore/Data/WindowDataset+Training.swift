extension WindowDataset {
    /// The examples and labels in the form the ``Trainer`` and ``Evaluation`` take.
    public func labelledExamples() throws(EQMCoreError) -> LabelledExamples {
        try LabelledExamples(exampleShape: exampleShape, inputs: inputs, labels: labels)
    }

    /// The representation a model architecture needs: the 48 ``SummaryFeatures`` for a flat input,
    /// otherwise the 6-channel sequence at the model's number of steps.
    public static func representation(for spec: ModelSpec) throws(EQMCoreError) -> Representation {
        switch spec.inputShape.count {
        case 1 where spec.inputShape[0] == SummaryFeatures.count:
            return .features
        case 2 where spec.inputShape[1] == ModelInputChannel.count:
            return .sequence(steps: spec.inputShape[0])
        default:
            throw .invalidConfiguration(
                "no wearable representation has shape \(spec.inputShape); expected [\(SummaryFeatures.count)] or [steps, \(ModelInputChannel.count)]"
            )
        }
    }
}
