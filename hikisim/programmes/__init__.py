"""Programmes (interventions): one module each, with its parameters beside its behaviour.

:mod:`~hikisim.programmes.base` holds what every programme shares and the registry;
:mod:`~hikisim.programmes.interface` the narrow kernel interface programmes act through;
:mod:`~hikisim.programmes.enrolment` the machinery of programmes that enrol youths.
No module here imports the model, the kernel or the metrics, so the scenario schema can
read the parameter models (:data:`PARAMS`) without pulling in any of them.

The registry lists the programmes in the order they act each week, which the results
depend on: the medical exam routes new entrants to care before the programmes offered in
care pick their participants. A new programme is one module and one entry below.
"""

from hikisim.programmes.base import (
    PARAMS,
    REGISTRY,
    Intervention,
    InterventionParams,
    programme_bit,
    programmes_in_bitmask,
    register,
)
from hikisim.programmes.ei_training import EmotionalTraining, EmotionalTrainingParams
from hikisim.programmes.enrolment import CareProgramme, Programme, ProgrammeParams
from hikisim.programmes.family_therapy import FamilyTherapy, FamilyTherapyParams
from hikisim.programmes.home_visits import HomeVisitParams, HomeVisits
from hikisim.programmes.interface import KernelInterface, ProgrammeHost
from hikisim.programmes.medical_exam import MedicalExam, MedicalExamParams
from hikisim.programmes.online_therapy import OnlineTherapy, OnlineTherapyParams
from hikisim.programmes.parenting_course import ParentingCourse, ParentingCourseParams
from hikisim.programmes.pet_therapy import PetTherapy, PetTherapyParams
from hikisim.programmes.psychotherapy import Psychotherapy, PsychotherapyParams
from hikisim.programmes.social_farming import SocialFarming, SocialFarmingParams

for _programme in (
    MedicalExam,
    Psychotherapy,
    FamilyTherapy,
    HomeVisits,
    ParentingCourse,
    EmotionalTraining,
    PetTherapy,
    SocialFarming,
    OnlineTherapy,
):
    register(_programme)

__all__ = [
    "PARAMS",
    "REGISTRY",
    "CareProgramme",
    "EmotionalTraining",
    "EmotionalTrainingParams",
    "FamilyTherapy",
    "FamilyTherapyParams",
    "HomeVisitParams",
    "HomeVisits",
    "Intervention",
    "InterventionParams",
    "KernelInterface",
    "MedicalExam",
    "MedicalExamParams",
    "OnlineTherapy",
    "OnlineTherapyParams",
    "ParentingCourse",
    "ParentingCourseParams",
    "PetTherapy",
    "PetTherapyParams",
    "Programme",
    "ProgrammeHost",
    "ProgrammeParams",
    "Psychotherapy",
    "PsychotherapyParams",
    "SocialFarming",
    "SocialFarmingParams",
    "programme_bit",
    "programmes_in_bitmask",
    "register",
]
