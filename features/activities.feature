Feature: Sales activities, to Marketo and to Salesforce, and the Smart Grid
  SIA logs every sales action to Marketo as one of 8 native activity types with its
  attributes, and to Salesforce as Tasks, one way, each kind switched on or off. The
  Smart Grid reads a person's activity from Marketo on every load.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @A-TO-MARKETO
  Scenario Outline: Each sales action logs one native activity to Marketo
    When a seller <action> "carla@acme.example"
    Then Marketo has exactly 1 "<type>" activity for "carla@acme.example"

    Examples:
      | action                                              | type                        |
      | sends the sales email "Quarterly review" to         | Send Sales Email            |
      | records an open of a sales email to                 | Open Sales Email            |
      | records a click in a sales email to                 | Click Sales Email           |
      | records a reply to a sales email to                 | Replied to Sales Email      |
      | records a bounce of a sales email to                | Sales Email Bounced         |
      | logs a completed call of 95 seconds with            | Sales Call Received         |
      | adds to the sales campaign "Q4 Outreach"            | Add to Sales Campaign       |
      | removes from the sales campaign "Q4 Outreach"       | Removed from Sales Campaign |

  @A-TO-MARKETO
  Scenario: SIA logs nothing to Marketo but the 8 sales activity types
    When a seller sends the sales email "Hello" to "carla@acme.example"
    And a seller records a reply to a sales email to "lena@leadco.example"
    And a seller logs a completed call of 30 seconds with "sam@syncco.example"
    And a seller adds to the sales campaign "Q4 Outreach" "carla@acme.example"
    Then every activity SIA logged to Marketo is one of the 8 sales activity types

  @A-ATTRIBUTES
  Scenario: A sales email carries its attributes, and its subject a unique marker
    When a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    And a seller sends the sales email "Quarterly review" to "carla@acme.example"
    Then the "Send Sales Email" activity of "carla@acme.example" has the attributes:
      | attribute           | value         |
      | Source              | Sales App     |
      | Sales Campaign Name | Q4 Outreach   |
    And every "Send Sales Email" subject of "carla@acme.example" is "Quarterly review" followed by a marker of its own

  @A-ATTRIBUTES
  Scenario: A call carries its status, duration and who answered
    When a seller logs a completed call of 95 seconds with "carla@acme.example"
    Then the "Sales Call Received" activity of "carla@acme.example" has the attributes:
      | attribute              | value     |
      | Sales Call Status      | completed |
      | Sales Call Duration    | 95        |
      | Sales Call Answered By | Carla     |
      | Source                 | Sales App |

  @A-ATTRIBUTES
  Scenario: Marketo selects people by a sales activity attribute
    When a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    And a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    Then Marketo selects exactly "carla@acme.example" by "Send Sales Email" with "Sales Campaign Name" "Q4 Outreach"
    And Marketo selects exactly "lena@leadco.example" by "Send Sales Email" with the subject of the email to "lena@leadco.example"

  @A-TO-SALESFORCE
  Scenario: An email and a call are logged as Salesforce Tasks on the person
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "lena@leadco.example"
    Then Salesforce has a Task of type "Email" on the contact "carla@acme.example"
    And Salesforce has a Task of type "Call" on the lead "lena@leadco.example"

  @A-TO-SALESFORCE @reference
  Scenario: Once a lead is converted, its Tasks go on the contact
    When the Salesforce lead "lena@leadco.example" is converted
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    And a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    Then Salesforce has a Task of type "Email" on the contact "lena@leadco.example"

  @A-SF-CONFIG @S-SETTINGS
  Scenario Outline: A kind switched off creates no Task, the others still do
    Given the setting "<setting>" is off
    When a seller <action> "carla@acme.example"
    Then Salesforce has no Task on the contact "carla@acme.example"
    When a seller <other action> "carla@acme.example"
    Then Salesforce has 1 Task on the contact "carla@acme.example"

    Examples:
      | setting       | action                                         | other action                                 |
      | email_logging | sends the sales email "Quarterly review" to    | logs a completed call of 95 seconds with     |
      | call_logging  | logs a completed call of 95 seconds with       | sends the sales email "Quarterly review" to  |

  @A-SF-CONFIG
  Scenario: Reminder tasks create no Task while task sync is off
    Given the setting "task_sync" is off
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    Then Salesforce has no Task on the contact "carla@acme.example"

  @A-ONE-WAY
  Scenario: Changing or deleting logged Tasks in Salesforce changes nothing in SIA
    Given the setting "task_sync" is on
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    And in Salesforce the email Task on "carla@acme.example" gets the subject "Edited in Salesforce"
    And in Salesforce the call Task on "carla@acme.example" is deleted
    And SIA runs every periodic sync
    Then SIA's record of "carla@acme.example" still has the email "Quarterly review" and the call
    And SIA has no reminder tasks

  @A-TASK-SHAPE
  Scenario: Email, reply and call Tasks have their type, subject and person
    Given the setting "email_subject_template" is "Sales email: {subject} ({name})"
    And the setting "call_subject_template" is "Call: {subject}"
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller records a reply to that email
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    Then Salesforce has these Tasks on the contact "carla@acme.example":
      | Type  | Subject                                       |
      | Email | Sales email: Quarterly review (Carla Contact) |
      | Reply | Reply: Quarterly review                       |
      | Call  | Call: Discovery call                          |

  @A-TASK-SHAPE @reference
  Scenario: By default an email Task is "Email: " and the subject, a call Task "Call: " and the call's
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    Then Salesforce has these Tasks on the contact "carla@acme.example":
      | Type  | Subject                 |
      | Email | Email: Quarterly review |
      | Call  | Call: Discovery call    |

  @A-TASK-SHAPE
  Scenario: A subject longer than 255 characters is cut
    When a seller sends a sales email with a subject of 200 characters to "carla@acme.example" and the subject template adds 100 more
    Then the Task's subject on the contact "carla@acme.example" has 255 characters

  @A-TASK-SHAPE
  Scenario: A reminder task carries no Type
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    Then Salesforce has a Task "Call back" on the contact "carla@acme.example" with no Type

  @A-GRID
  Scenario: The Smart Grid shows the person's activity from Marketo
    Given Marketo has a web visit and an interesting moment for "carla@acme.example"
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller opens the Smart Grid of "carla@acme.example"
    Then the Smart Grid shows a "Visit Webpage", an "Interesting Moment" and a "Send Sales Email"
    And loading the Smart Grid asked Marketo's activities

  @A-GRID
  Scenario: Every load asks Marketo afresh: nothing comes from a cache
    When a seller opens the Smart Grid of "carla@acme.example"
    And Marketo records an interesting moment for "carla@acme.example"
    And a seller opens the Smart Grid of "carla@acme.example"
    Then the Smart Grid shows an "Interesting Moment"
    And each load of the Smart Grid asked Marketo's activities

  @P-OWN-DB
  Scenario: SIA keeps its own record of the sales activity
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    And Marketo and Salesforce stop answering
    Then SIA's own record of "carla@acme.example" has a "Send Sales Email" and a "Sales Call Received"
