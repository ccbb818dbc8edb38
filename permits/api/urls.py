"""URLs of the permits JSON API (mounted at /api/ by `config.urls`, next to the parcels look-ups)."""

from django.urls import path

from permits.api import (
    actions,
    application,
    catalogue,
    commissions,
    consultations,
    documents,
    dossiers,
    inspections,
    mandates,
    people,
    plans,
    remarks,
    tracking,
)

app_name = "permits-api"
dossier = "dossiers/<int:dossier_id>/"
urlpatterns = [
    path("auth/token/", people.TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", people.TokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", people.TokenDetailApi.as_view(), name="auth-token-detail"),
    path("auth/csrf/", people.CsrfApi.as_view(), name="auth-csrf"),
    path("me/profile/", people.ProfileApi.as_view(), name="me-profile"),
    path("procedures/", catalogue.ProcedureListApi.as_view(), name="procedure-list"),
    path("uses/", catalogue.UseListApi.as_view(), name="use-list"),
    path("activities/", catalogue.ActivityListApi.as_view(), name="activity-list"),
    path("dossiers/", dossiers.DossierListApi.as_view(), name="dossier-list"),
    path(dossier, dossiers.DossierDetailApi.as_view(), name="dossier-detail"),
    path("mandates/", mandates.MandateListApi.as_view(), name="mandate-list"),
    path("mandates/<int:mandate_id>/accept/", mandates.MandateAcceptApi.as_view(), name="mandate-accept"),
    path("mandates/<int:mandate_id>/decline/", mandates.MandateDeclineApi.as_view(), name="mandate-decline"),
    path("mandates/<int:mandate_id>/revoke/", mandates.MandateRevokeApi.as_view(), name="mandate-revoke"),
    # the signed application
    path(f"{dossier}application/", application.ApplicationPreviewApi.as_view(), name="dossier-application"),
    path(f"{dossier}application/code/", application.ApplicationCodeApi.as_view(), name="dossier-application-code"),
    path(f"{dossier}application/sign/", application.ApplicationSignApi.as_view(), name="dossier-application-sign"),
    # workflow actions
    path(f"{dossier}submit/", actions.DossierSubmitApi.as_view(), name="dossier-submit"),
    path(f"{dossier}completeness/", actions.DossierCompletenessApi.as_view(), name="dossier-completeness"),
    path(f"{dossier}withdraw/", actions.DossierWithdrawApi.as_view(), name="dossier-withdraw"),
    path(f"{dossier}send-to-commission/", actions.DossierSendToCommissionApi.as_view(), name="dossier-commission"),
    path(
        f"{dossier}decide-without-commission/",
        actions.DossierDecideWithoutCommissionApi.as_view(),
        name="dossier-decide-without-commission",
    ),
    path(f"{dossier}remarks/send/", actions.DossierSendRemarksApi.as_view(), name="dossier-remarks-send"),
    # what hangs on a file
    path(f"{dossier}deadlines/", tracking.DossierDeadlinesApi.as_view(), name="dossier-deadlines"),
    path(f"{dossier}overlaps/", tracking.DossierOverlapsApi.as_view(), name="dossier-overlaps"),
    path(f"{dossier}rounds/", tracking.DossierRoundsApi.as_view(), name="dossier-rounds"),
    path(f"{dossier}history/", tracking.DossierHistoryApi.as_view(), name="dossier-history"),
    path(f"{dossier}remarks/", remarks.RemarkListApi.as_view(), name="remark-list"),
    path(f"{dossier}remarks/<int:remark_id>/reply/", remarks.RemarkReplyApi.as_view(), name="remark-reply"),
    path(f"{dossier}remarks/<int:remark_id>/close/", remarks.RemarkCloseApi.as_view(), name="remark-close"),
    path(f"{dossier}documents/", documents.DocumentListApi.as_view(), name="document-list"),
    path(
        f"{dossier}documents/<int:document_id>/download/",
        documents.DocumentDownloadApi.as_view(),
        name="document-download",
    ),
    path(
        f"{dossier}published-documents/<int:output_id>/download/",
        documents.PublishedDocumentDownloadApi.as_view(),
        name="dossier-published-document",
    ),
    path(f"{dossier}footprint/", documents.FootprintUploadApi.as_view(), name="dossier-footprint"),
    # plan review: plans by version chain, annotations and page scales (geometry in PDF points)
    path(f"{dossier}plans/", plans.PlanListApi.as_view(), name="plan-list"),
    path("plans/<int:document_id>/annotations/", plans.AnnotationListApi.as_view(), name="plan-annotations"),
    path("plans/<int:document_id>/annotated.pdf", plans.AnnotatedPlanApi.as_view(), name="plan-annotated"),
    path("plans/<int:document_id>/view.png", plans.PlanViewApi.as_view(), name="plan-view-png"),
    path("plans/<int:document_id>/opening/", plans.PlanOpeningApi.as_view(), name="plan-opening"),
    path("plans/compare/", plans.PlanCompareApi.as_view(), name="plan-compare"),
    path("plans/compare.png", plans.PlanComparePngApi.as_view(), name="plan-compare-png"),
    path(
        "plans/<int:document_id>/calibrations/<int:page>/",
        plans.CalibrationApi.as_view(),
        name="plan-calibration",
    ),
    path("annotations/<int:annotation_id>/", plans.AnnotationDetailApi.as_view(), name="annotation-detail"),
    path("annotations/<int:annotation_id>/remark/", plans.AnnotationRemarkApi.as_view(), name="annotation-remark"),
    # the site inspection (récolement): the appointment, then the inspector's report
    path(f"{dossier}inspection/", inspections.InspectionCurrentApi.as_view(), name="inspection"),
    path(f"{dossier}inspection/propose/", inspections.InspectionProposeApi.as_view(), name="inspection-propose"),
    *[
        path(f"{dossier}inspection/<int:inspection_id>/{action}/", view.as_view(), name=f"inspection-{action}")
        for action, view in (
            ("confirm", inspections.InspectionConfirmApi),
            ("other-date", inspections.InspectionOtherDateApi),
            ("reschedule", inspections.InspectionRescheduleApi),
            ("cancel", inspections.InspectionCancelApi),
            ("report", inspections.InspectionReportApi),
            ("photos", inspections.InspectionPhotoApi),
            ("close", inspections.InspectionCloseApi),
        )
    ],
    # a commission member's work
    path("consultations/", consultations.ConsultationQueueApi.as_view(), name="consultation-queue"),
    path(
        "consultations/<int:consultation_id>/opinion/",
        consultations.OpinionGiveApi.as_view(),
        name="consultation-opinion",
    ),
    # the commission: booking (applicant), sessions (members, president, secretariat), signatures (signers)
    path(f"{dossier}commission/slots/", commissions.FreeSlotsApi.as_view(), name="commission-slots"),
    path(f"{dossier}commission/booking/", commissions.BookingApi.as_view(), name="commission-booking"),
    path(f"{dossier}commission/booking/move/", commissions.BookingMoveApi.as_view(), name="commission-booking-move"),
    path(
        f"{dossier}commission/booking/cancel/",
        commissions.BookingCancelApi.as_view(),
        name="commission-booking-cancel",
    ),
    path("commission/sessions/", commissions.SessionListApi.as_view(), name="commission-sessions"),
    path("commission/sessions/<int:session_id>/", commissions.SessionDetailApi.as_view(), name="commission-session"),
    path(
        "commission/sessions/<int:session_id>/attendance/",
        commissions.AttendanceApi.as_view(),
        name="commission-attendance",
    ),
    path(
        "commission/sessions/<int:session_id>/examinations/",
        commissions.ExaminationRecordApi.as_view(),
        name="commission-examination",
    ),
    path(
        "commission/examinations/<int:examination_id>/decide/",
        commissions.ExaminationDecideApi.as_view(),
        name="commission-decide",
    ),
    path("commission/signatures/", commissions.SignatureListApi.as_view(), name="commission-signatures"),
    path(
        "commission/signatures/<int:request_id>/sign/",
        commissions.SignatureSignApi.as_view(),
        name="commission-sign",
    ),
]
